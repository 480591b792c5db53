"""ember.utils.data: Dataset, TensorDataset, DataLoader as torch.utils.data's, and
the C++ image datasets (FashionMNIST, MNIST).

A Python dataset is loaded in Python: indices (sampler.py), then __getitem__ per sample and
a stack per batch (or one _get_batch(indices) call when the dataset has one,
as TensorDataset does), in the main process or, with num_workers > 0, in
worker processes (_multiprocessing.py). A C++ dataset is loaded by the C++
DataLoader (its threads, its per-epoch shuffle from a seed), one call per
batch from Python.
"""
import functools
import warnings

from ember._C import Tensor, data as _data, stack, tensor as _tensor
from ember.utils.data._worker_info import WorkerInfo, get_worker_info  # noqa: F401
from ember.utils.data.sampler import (  # noqa: F401
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, draw_seed)


class Dataset:
    """Subclass it with __getitem__(index) and __len__(), as torch.utils.data.Dataset."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")


class TensorDataset(Dataset):
    """Rows of tensors along dim 0: dataset[i] is (t[i] for t in tensors)."""

    def __init__(self, *tensors):
        if not tensors or any(not isinstance(t, Tensor) for t in tensors):
            raise TypeError("TensorDataset(): expected one or more Tensors")
        if any(t.size(0) != tensors[0].size(0) for t in tensors):
            raise ValueError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)

    def _get_batch(self, indices):
        rows = _tensor(indices)
        return tuple(t[rows] for t in self.tensors)


class _ImageDataset(Dataset):
    """A C++ IdxImageDataset: samples are (float32 [1, H, W] in [0, 1], int64 label), as torchvision's with ToTensor()."""

    def __init__(self, root=None, train=True):
        self._cpp = self._cpp_class(root or self._cpp_class.default_root, train)

    def __getitem__(self, index):
        return tuple(self._cpp.get(index))

    def __len__(self):
        return len(self._cpp)

    def _get_batch(self, indices):
        return tuple(self._cpp.get_batch(indices))

    @property
    def data(self):
        return self._cpp.data

    @property
    def targets(self):
        return self._cpp.targets


class FashionMNIST(_ImageDataset):
    _cpp_class = _data.FashionMNIST


class MNIST(_ImageDataset):
    _cpp_class = _data.MNIST


def default_collate(samples):
    """Stacks a batch of samples: tensors along a new dim 0, numbers into a tensor, tuples field by field."""
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(samples, 0)
    if isinstance(first, (int, float, bool)):
        return _tensor(samples)
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        return type(first)(default_collate(list(field)) for field in zip(*samples)) if isinstance(first, list) \
            else tuple(default_collate(list(field)) for field in zip(*samples))
    return samples


def _fetch(dataset, collate_fn, indices):
    """One batch: the dataset's _get_batch when it has one and no collate_fn is given, else collate_fn (or
    default_collate) of the samples."""
    if collate_fn is None and hasattr(dataset, "_get_batch"):
        return dataset._get_batch(indices)
    return (collate_fn or default_collate)([dataset[i] for i in indices])


def _fetch_sample(dataset, collate_fn, index):
    """batch_size=None: one sample, through collate_fn when one is given (torch's default, default_convert,
    only turns NumPy arrays into tensors; ember leaves the sample as it is)."""
    return dataset[index] if collate_fn is None else collate_fn(dataset[index])


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers):
    """torch's checks, with its messages (but a ValueError where torch asserts prefetch_factor > 0)."""
    if not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                         "multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers > 0 and (not isinstance(prefetch_factor, int) or prefetch_factor < 1):
        raise ValueError(f"prefetch_factor should be a positive integer, but got {prefetch_factor!r}")
    if num_workers == 0 and prefetch_factor != 2:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                         "to enable multiprocessing.")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


class DataLoader:
    """Batches of a dataset, with torch.utils.data.DataLoader's arguments, order and errors. Indices come from
    sampler (default: SequentialSampler, or RandomSampler with shuffle) grouped by BatchSampler(sampler,
    batch_size, drop_last), or from batch_sampler. A C++ dataset in the plain case (a batch_size; no sampler,
    batch_sampler, collate_fn or worker_init_fn) is loaded by the C++ loader, its num_workers threads and its
    shuffle seeded with seed; otherwise num_workers > 0 starts worker processes (_multiprocessing.py).
    Shuffled orders and the workers' seeds come from generator (default: ember's default generator, which
    ember.manual_seed seeds), as torch's, never depending on num_workers. pin_memory is accepted and warned
    about: ember has no pinned host memory."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=2, persistent_workers=False,
                 pin_memory_device="", seed=None):
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                                 "drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        default_samplers = sampler is None and batch_sampler is None and batch_size is not None
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if pin_memory:
            warnings.warn("'pin_memory' argument is set as true but ember has no pinned host memory, then device "
                          "pinned memory won't be used.", stacklevel=2)
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.collate_fn, self.num_workers, self.worker_init_fn = collate_fn, num_workers, worker_init_fn
        self.prefetch_factor, self.multiprocessing_context = prefetch_factor, multiprocessing_context
        self.pin_memory, self.pin_memory_device, self.timeout = pin_memory, pin_memory_device, timeout
        self.persistent_workers = persistent_workers
        self._pool = None  # with persistent_workers, the worker processes, started by the first epoch
        self._cpp = None
        # A Python sampler stays in Python: the C++ loader would call back into it for every index (GIL and
        # all), while the Python path still loads each batch with one C++ call (_ImageDataset._get_batch).
        if isinstance(dataset, _ImageDataset) and default_samplers and collate_fn is None and worker_init_fn is None:
            seed = draw_seed(generator) if seed is None else seed
            self._cpp = _data.DataLoader(dataset._cpp, batch_size, shuffle, drop_last, num_workers, seed)

    def __len__(self):
        return len(self._index_sampler)

    @property
    def _index_sampler(self):
        """What iterating gives to fetch: batches of indices, or single indices when batch_size is None."""
        return self.sampler if self.batch_sampler is None else self.batch_sampler

    def __iter__(self):
        if self.timeout > 0 and self.num_workers == 0:
            raise AssertionError("timeout option needs num_workers > 0")  # torch 1.13 asserts, with no message
        if self._cpp is not None:
            return iter(self._cpp)
        # Drawn either way, as torch's, so that later shuffles do not depend on num_workers.
        base_seed = draw_seed(self.generator)
        fetch = functools.partial(_fetch_sample if self.batch_sampler is None else _fetch, self.dataset,
                                  self.collate_fn)
        if self.num_workers == 0:
            return map(fetch, self._index_sampler)
        # Imported here, not at the top: multiprocessing would add 5 ms (a sixth) to every `import ember`.
        from ember.utils.data._multiprocessing import MultiProcessIter, WorkerPool
        pool = self._pool
        if pool is None or not pool.running:
            pool = WorkerPool(fetch, self.dataset, self.num_workers, base_seed, self.worker_init_fn,
                              self.multiprocessing_context)
            if self.persistent_workers:
                self._pool = pool  # kept, and with it the workers, until this loader is collected
        return MultiProcessIter(pool, self._index_sampler, self.prefetch_factor, self.timeout)
