"""get_worker_info(): what a DataLoader worker process knows about itself.
Apart from _worker.py (the worker loop, with pickle, queue and traceback) so
that `import ember` stays light: only worker processes need those.
"""


class WorkerInfo:
    """id, num_workers, seed, and dataset (the worker's copy), as torch.utils.data.WorkerInfo."""

    __slots__ = ("id", "num_workers", "seed", "dataset")

    def __init__(self, id, num_workers, seed, dataset):  # noqa: A002 (torch's field name)
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, dataset={self.dataset!r})"


_worker_info = None


def get_worker_info():
    """In a DataLoader worker process, its WorkerInfo; None in the main process, as torch.utils.data.get_worker_info."""
    return _worker_info


def set_worker_info(info):
    global _worker_info
    _worker_info = info
