"""The main process's side of DataLoader(num_workers > 0) for Python datasets,
as torch's _MultiProcessingDataLoaderIter: worker processes (the default
start method, 'fork' on Linux, unless multiprocessing_context says otherwise)
each call dataset[i] and collate_fn on the index batches given to them in
turn; batches come back pickled (ember/_pickling.py: a copy, where torch
shares memory) and are yielded in order, with prefetch_factor batches per
worker in flight. Workers stop when the iterator is exhausted or collected.
"""
import itertools
import multiprocessing
import pickle
import queue
import weakref

from ember.utils.data._worker import POLL_INTERVAL, ExceptionWrapper, worker_loop


def _shutdown(workers, index_queues, result_queue):
    for index_queue in index_queues:
        index_queue.put(None)
    for worker in workers:
        worker.join(timeout=POLL_INTERVAL)
        if worker.is_alive():  # stuck in dataset code: it has had its chance
            worker.terminate()
            worker.join()
    for q in index_queues + [result_queue]:
        q.cancel_join_thread()
        q.close()


class MultiProcessIter:
    """Batches of fetch(indices) for each indices of index_batches, computed by num_workers processes."""

    def __init__(self, fetch, dataset, index_batches, num_workers, prefetch_factor, base_seed, worker_init_fn,
                 multiprocessing_context):
        context = multiprocessing.get_context(multiprocessing_context)
        self._index_batches = iter(index_batches)
        self._result_queue = context.Queue()
        self._index_queues = [context.Queue() for _ in range(num_workers)]
        self._workers = [
            context.Process(target=worker_loop, daemon=True,
                            args=(fetch, dataset, index_queue, self._result_queue, worker_id, num_workers,
                                  base_seed + worker_id, worker_init_fn))
            for worker_id, index_queue in enumerate(self._index_queues)]
        for worker in self._workers:
            worker.start()
        # Runs once: at exhaustion, when the iterator is collected, or at interpreter exit.
        self._shutdown = weakref.finalize(self, _shutdown, self._workers, self._index_queues, self._result_queue)
        self._next_queue = itertools.cycle(self._index_queues)
        self._sent = 0  # batches handed to workers
        self._yielded = 0  # batches yielded, in order
        self._arrived = {}  # batch index -> pickled result, for those that came before their turn
        for _ in range(prefetch_factor * num_workers):
            self._send_next()

    def _send_next(self):
        indices = next(self._index_batches, None)
        if indices is not None:
            next(self._next_queue).put((self._sent, indices))
            self._sent += 1

    def _receive(self):
        while True:
            try:
                return self._result_queue.get(timeout=POLL_INTERVAL)
            except queue.Empty:
                dead = [str(w.pid) for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(dead)}) exited unexpectedly") from None

    def __iter__(self):
        return self

    def __next__(self):
        if self._yielded == self._sent:
            self._shutdown()
            raise StopIteration
        while self._yielded not in self._arrived:
            batch_index, payload = self._receive()
            self._arrived[batch_index] = payload
        result = pickle.loads(self._arrived.pop(self._yielded))
        self._yielded += 1
        self._send_next()
        if isinstance(result, ExceptionWrapper):
            result.reraise()
        return result
