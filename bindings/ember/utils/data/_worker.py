"""What runs in a DataLoader worker process (torch.utils.data._utils.worker's
part): the loop that turns index batches into pickled batches, and
ExceptionWrapper, which carries an exception from a worker to the main
process. Nothing here runs in the main process but reraise.
"""
import os
import pickle
import queue
import random
import sys
import traceback

from ember._C import manual_seed, set_num_threads
from ember.utils.data._worker_info import WorkerInfo, set_worker_info

# How often (seconds) a waiting worker checks that its main process is still there.
POLL_INTERVAL = 5.0


class _KeyErrorMessage(str):
    """KeyError shows repr(message), which would print the traceback's newlines as \\n: shown as it is instead."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """The exception being handled, as what crosses the process boundary: its type and traceback text."""

    def __init__(self, where):
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.message = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self):
        message = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.message}"
        if self.exc_type is KeyError:
            message = _KeyErrorMessage(message)
        try:
            exception = self.exc_type(message)
        except TypeError:  # a type whose constructor wants other arguments, as torch falls back
            raise RuntimeError(message) from None
        raise exception


def _send(result_queue, batch_index, result, where):
    # Pickled here rather than by the queue's feeder thread, so that a batch that
    # cannot be pickled becomes an error in the main process instead of a batch that never arrives.
    try:
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 (whatever pickling raised goes to the main process)
        payload = pickle.dumps(ExceptionWrapper(where), protocol=pickle.HIGHEST_PROTOCOL)
    result_queue.put((batch_index, payload))


def worker_loop(fetch, dataset, index_queue, result_queue, worker_id, num_workers, seed, worker_init_fn):
    """Until told None: takes (batch_index, indices), sends (batch_index, pickled fetch(indices)) back, or an
    ExceptionWrapper of what fetch raised. Seeded as torch's workers are: random and ember with seed."""
    set_num_threads(1)  # as torch's workers: num_workers processes of many threads each would oversubscribe
    random.seed(seed)
    manual_seed(seed)
    set_worker_info(WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset))
    where = f"in DataLoader worker process {worker_id}"
    init_error = None
    if worker_init_fn is not None:
        try:
            worker_init_fn(worker_id)
        except Exception:  # noqa: BLE001 (sent to the main process with the first batch, as torch does)
            init_error = ExceptionWrapper(where)
    parent = os.getppid()
    try:
        while True:
            try:
                task = index_queue.get(timeout=POLL_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:  # the main process is gone: nobody reads what we would send
                    break
                continue
            if task is None:
                break
            batch_index, indices = task
            if init_error is not None:
                result, init_error = init_error, None
            else:
                try:
                    result = fetch(indices)
                except Exception:  # noqa: BLE001 (reraised in the main process)
                    result = ExceptionWrapper(where)
            _send(result_queue, batch_index, result, where)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the main process handles it
        pass
    # The main process reads nothing more: exit without waiting for unsent results to be flushed.
    result_queue.cancel_join_thread()
