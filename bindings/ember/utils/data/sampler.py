"""Samplers: what DataLoader reads the dataset's indices from, as torch.utils.data's
(Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, BatchSampler).
Random orders come from Python's random, as DataLoader's shuffle always has:
random.seed(s) makes them reproducible (ember has no Generator object).
"""
import random


def check_generator(where, generator):
    """ember has no torch.Generator: generator=None (Python's random) is the only one there is."""
    if generator is not None:
        raise TypeError(f"{where}: generator= is not supported (ember has no Generator), got {generator!r}; "
                        "leave it None and seed the order with random.seed()")


class Sampler:
    """Subclass it with __iter__ (indices) and, where it knows it, __len__, as torch.utils.data.Sampler."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """num_samples indices (default len(data_source)): without replacement, as many shuffled passes over the
    dataset as it takes; with replacement, each one drawn independently."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        check_generator("RandomSampler", generator)
        self.data_source, self.replacement, self._num_samples, self.generator = \
            data_source, replacement, num_samples, generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        # The whole order is drawn at once, so that Python's random calls made while the epoch runs (the
        # training loop's own) do not change it, nor does how far ahead DataLoader workers prefetch.
        n = len(self.data_source)
        if self.replacement:
            return iter(random.choices(range(n), k=self.num_samples))
        passes, rest = divmod(self.num_samples, n)
        return iter([i for _ in range(passes) for i in random.sample(range(n), n)] + random.sample(range(n), rest))

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order."""

    def __init__(self, indices, generator=None):
        check_generator("SubsetRandomSampler", generator)
        self.indices, self.generator = indices, generator

    def __iter__(self):
        return iter([self.indices[i] for i in random.sample(range(len(self.indices)), len(self.indices))])

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Lists of batch_size indices from sampler (any iterable of indices); the last one shorter unless drop_last."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):  # a TypeError, as torch's, when the sampler has no len()
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
