"""ember.utils.data: Dataset, TensorDataset, DataLoader as torch.utils.data's, and
the C++ image datasets (FashionMNIST, MNIST).

A Python dataset is loaded in Python: indices, then __getitem__ per sample and
a stack per batch (or one _get_batch(indices) call when the dataset has one,
as TensorDataset does), in the main process or, with num_workers > 0, in
worker processes (_multiprocessing.py). A C++ dataset is loaded by the C++
DataLoader (its threads, its per-epoch shuffle from a seed), one call per
batch from Python.
"""
import functools
import random

from ember._C import Tensor, data as _data, stack, tensor as _tensor
from ember.utils.data._worker_info import WorkerInfo, get_worker_info  # noqa: F401


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


class DataLoader:
    """Batches of a dataset: batch_size, shuffle, drop_last, collate_fn, and num_workers: threads of the C++
    loader for a C++ dataset (unless a collate_fn or worker_init_fn is given), else worker processes (with
    worker_init_fn, prefetch_factor, multiprocessing_context). The order of the batches depends on Python's
    random (shuffle), never on num_workers."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None, num_workers=0,
                 seed=None, worker_init_fn=None, prefetch_factor=2, multiprocessing_context=None):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if num_workers > 0 and (not isinstance(prefetch_factor, int) or prefetch_factor < 1):
            raise ValueError(f"prefetch_factor should be a positive integer, but got {prefetch_factor!r}")
        if num_workers == 0 and prefetch_factor != 2:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing.")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.collate_fn, self.num_workers, self.worker_init_fn = collate_fn, num_workers, worker_init_fn
        self.prefetch_factor, self.multiprocessing_context = prefetch_factor, multiprocessing_context
        self._cpp = None
        if isinstance(dataset, _ImageDataset) and collate_fn is None and worker_init_fn is None:
            seed = random.getrandbits(63) if seed is None else seed
            self._cpp = _data.DataLoader(dataset._cpp, batch_size, shuffle, drop_last, num_workers, seed)

    def __len__(self):
        if self._cpp is not None:
            return len(self._cpp)
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else (n + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        if self._cpp is not None:
            return iter(self._cpp)
        index_batches = self._index_batches()
        base_seed = random.getrandbits(63)  # drawn either way, so that later shuffles do not depend on num_workers
        fetch = functools.partial(_fetch, self.dataset, self.collate_fn)
        if self.num_workers == 0:
            return map(fetch, index_batches)
        # Imported here, not at the top: multiprocessing would add 5 ms (a sixth) to every `import ember`.
        from ember.utils.data._multiprocessing import MultiProcessIter
        return MultiProcessIter(fetch, self.dataset, index_batches, self.num_workers, self.prefetch_factor,
                                base_seed, self.worker_init_fn, self.multiprocessing_context)

    def _index_batches(self):
        order = list(range(len(self.dataset)))
        if self.shuffle:
            random.shuffle(order)
        batches = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        return batches[:len(self)]
