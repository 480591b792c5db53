"""The main process's side of DataLoader(num_workers > 0) for Python datasets,
as torch's _MultiProcessingDataLoaderIter: worker processes (the default
start method, 'fork' on Linux, unless multiprocessing_context says otherwise)
each call dataset[i] and collate_fn on the index batches given to them in
turn; batches come back pickled (ember/_pickling.py: a copy, where torch
shares memory) and are yielded in order, with prefetch_factor batches per
worker in flight. The workers (a WorkerPool) stop when the epoch's iterator
is exhausted or collected, or with persistent_workers when the DataLoader is.
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


class WorkerPool:
    """num_workers processes that turn index batches into batches with fetch, for one epoch or, kept by a
    DataLoader(persistent_workers=True), for all of them. They stop when the pool is collected or shut down."""

    def __init__(self, fetch, dataset, num_workers, base_seed, worker_init_fn, multiprocessing_context):
        context = multiprocessing.get_context(multiprocessing_context)
        self.result_queue = context.Queue()
        self.index_queues = [context.Queue() for _ in range(num_workers)]
        self.workers = [
            context.Process(target=worker_loop, daemon=True,
                            args=(fetch, dataset, index_queue, self.result_queue, worker_id, num_workers,
                                  base_seed + worker_id, worker_init_fn))
            for worker_id, index_queue in enumerate(self.index_queues)]
        for worker in self.workers:
            worker.start()
        # Runs once: when shut down, when the pool is collected, or at interpreter exit.
        self.shutdown = weakref.finalize(self, _shutdown, self.workers, self.index_queues, self.result_queue)
        # Numbers every task across epochs, so that the results of an epoch left unfinished are told apart.
        self.tasks_sent = 0
        self.epoch_start = 0  # the first task of the current epoch: the others are of epochs left unfinished

    @property
    def running(self):
        return self.shutdown.alive

    def send(self, index_queue, indices):
        index_queue.put((self.tasks_sent, indices))
        self.tasks_sent += 1

    def receive(self, timeout):
        """The next (task, pickled result); waits at most timeout seconds when timeout > 0, else while the workers
        live."""
        while True:
            try:
                return self.result_queue.get(timeout=timeout if timeout > 0 else POLL_INTERVAL)
            except queue.Empty:
                dead = [str(w.pid) for w in self.workers if not w.is_alive()]
                if dead:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(dead)}) exited unexpectedly") from None
                if timeout > 0:
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None


class MultiProcessIter:
    """One epoch: the batches of the pool's fetch for each indices of index_batches, yielded in order."""

    def __init__(self, pool, index_batches, prefetch_factor, timeout):
        self._pool, self._timeout = pool, timeout
        self._index_batches = iter(index_batches)
        self._next_queue = itertools.cycle(pool.index_queues)  # every epoch starts with worker 0, as torch's
        self._first_task = self._next_task = pool.epoch_start = pool.tasks_sent  # _next_task: the one to yield next
        self._arrived = {}  # task -> pickled result, for those that came before their turn
        for _ in range(prefetch_factor * len(pool.workers)):
            self._send_next()

    def _send_next(self):
        indices = next(self._index_batches, None)
        if indices is not None:
            self._pool.send(next(self._next_queue), indices)

    def __iter__(self):
        return self

    def __next__(self):
        # A new epoch of a persistent pool ends this one, as torch's next iter() resets its one iterator.
        if self._pool is None or self._next_task == self._pool.tasks_sent or \
                self._first_task != self._pool.epoch_start:
            # Without persistent_workers this is the pool's last reference: collected, it stops its workers now.
            self._pool = None
            raise StopIteration
        while self._next_task not in self._arrived:
            task, payload = self._pool.receive(self._timeout)
            if task >= self._first_task:  # else of an epoch left unfinished: dropped, not kept forever
                self._arrived[task] = payload
        result = pickle.loads(self._arrived.pop(self._next_task))
        self._next_task += 1
        self._send_next()
        if isinstance(result, ExceptionWrapper):
            result.reraise()
        return result
