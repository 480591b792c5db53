"""DataLoader's torch 1.13 signature and samplers (ember/utils/data/sampler.py): the same code run with torch and
with ember gives the same batches, len() and errors where the order is deterministic; random orders are checked
for what they must be (a permutation, the right count)."""
import inspect
import random
import warnings

import pytest
import torch

import ember
from ember.utils.data import (BatchSampler, DataLoader, RandomSampler, Sampler, SequentialSampler,
                              SubsetRandomSampler)


class NoLen:
    """An iterable of indices without __len__ (a sampler need not know its length)."""

    def __iter__(self):
        return iter([4, 0, 2])


class EveryOther(Sampler):
    def __init__(self, data_source):
        self.n = len(data_source)

    def __iter__(self):
        return iter(range(0, self.n, 2))

    def __len__(self):
        return (self.n + 1) // 2


def both(make):
    """make(lib) run with torch and with ember, batches as lists."""
    def plain(batch):
        return batch.tolist() if hasattr(batch, "tolist") else batch
    return [[plain(batch) for batch in make(lib)] for lib in (torch, ember)]


CASES = {
    "default": lambda lib: lib.utils.data.DataLoader(list(range(7)), batch_size=3),
    "positional": lambda lib: lib.utils.data.DataLoader(list(range(7)), 2, False, [5, 1, 3], None, 0, None, False,
                                                        True),
    "sampler list": lambda lib: lib.utils.data.DataLoader(list(range(7)), batch_size=2, sampler=[6, 1, 1, 0, 3]),
    "sampler without len": lambda lib: lib.utils.data.DataLoader(list(range(7)), batch_size=2, sampler=NoLen()),
    "batch_sampler": lambda lib: lib.utils.data.DataLoader(list(range(7)), batch_sampler=[[0, 1], [5], [2, 3, 4]]),
    "BatchSampler": lambda lib: lib.utils.data.DataLoader(
        list(range(7)), batch_sampler=lib.utils.data.BatchSampler(lib.utils.data.SequentialSampler(range(7)), 3,
                                                                  drop_last=True)),
    "batch_size None": lambda lib: lib.utils.data.DataLoader(list(range(4)), batch_size=None, sampler=[3, 0]),
    "collate_fn, drop_last": lambda lib: lib.utils.data.DataLoader(list(range(7)), batch_size=2, drop_last=True,
                                                                   collate_fn=sum),
}


@pytest.mark.parametrize("case", CASES)
def test_batches_and_len_as_torch(case):
    theirs, ours = both(CASES[case])
    assert ours == theirs
    loaders = [CASES[case](lib) for lib in (torch, ember)]
    if case == "sampler without len":
        for loader in loaders:
            with pytest.raises(TypeError):
                len(loader)
    else:
        assert len(loaders[1]) == len(loaders[0]) == len(ours)


def test_custom_sampler_class():
    theirs = [b.tolist() for b in torch.utils.data.DataLoader(list(range(7)), batch_size=2,
                                                               sampler=EveryOther(range(7)))]
    loader = DataLoader(list(range(7)), batch_size=2, sampler=EveryOther(range(7)))
    assert [b.tolist() for b in loader] == theirs and len(loader) == 2


def test_samplers_as_torch():
    for lib in (torch, ember):
        data = lib.utils.data
        assert list(data.SequentialSampler(range(4))) == [0, 1, 2, 3] and len(data.SequentialSampler(range(4))) == 4
    for drop_last in (False, True):
        theirs = torch.utils.data.BatchSampler(range(10), 4, drop_last)
        ours = BatchSampler(range(10), 4, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_signature_is_torchs():
    theirs = inspect.signature(torch.utils.data.DataLoader).parameters
    ours = dict(inspect.signature(DataLoader).parameters)
    assert ours.pop("seed").kind == inspect.Parameter.KEYWORD_ONLY  # ember's own: the C++ loader's shuffle seed
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [(p.name, p.kind, p.default)
                                                                    for p in theirs.values()]


BAD = [
    (dict(sampler=[0], shuffle=True), ValueError),
    (dict(batch_sampler=[[0]], batch_size=2), ValueError),
    (dict(batch_sampler=[[0]], shuffle=True), ValueError),
    (dict(batch_sampler=[[0]], sampler=[0]), ValueError),
    (dict(batch_sampler=[[0]], drop_last=True), ValueError),
    (dict(batch_size=None, drop_last=True), ValueError),
    (dict(batch_size=0), ValueError),
    (dict(drop_last="yes"), ValueError),
    (dict(timeout=-1), ValueError),
    (dict(persistent_workers=True), ValueError),
    (dict(num_workers=-1), ValueError),
]


@pytest.mark.parametrize("kwargs, error", BAD)
def test_bad_arguments_raise_torchs_errors(kwargs, error):
    with pytest.raises(error) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(error) as ours:
        DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_bad_sampler_arguments_raise_torchs_errors():
    for make, error in [(lambda d: d.RandomSampler(range(3), replacement="no"), TypeError),
                        (lambda d: d.RandomSampler(range(3), num_samples=0), ValueError),
                        (lambda d: d.BatchSampler(range(3), 0, False), ValueError)]:
        with pytest.raises(error) as theirs:
            make(torch.utils.data)
        with pytest.raises(error) as ours:
            make(ember.utils.data)
        assert str(ours.value) == str(theirs.value)


def test_timeout_without_workers_fails_at_iter_as_torchs():
    for lib in (torch, ember):
        loader = lib.utils.data.DataLoader(list(range(4)), timeout=1)
        with pytest.raises(AssertionError):
            iter(loader)


def test_generator_is_refused_by_name():
    for make in (lambda: DataLoader(list(range(4)), shuffle=True, generator=object()),
                 lambda: RandomSampler(range(4), generator=object()),
                 lambda: SubsetRandomSampler([1, 2], generator=object())):
        with pytest.raises(TypeError, match="generator= is not supported"):
            make()
    assert DataLoader(list(range(4)), generator=None).generator is None


def test_random_sampler_orders():
    random.seed(0)
    order = list(RandomSampler(range(50)))
    assert sorted(order) == list(range(50)) and order != list(range(50))
    random.seed(0)
    assert list(RandomSampler(range(50))) == order  # Python's random decides it
    twice = RandomSampler(range(5), num_samples=12)
    drawn = list(twice)
    assert len(twice) == len(drawn) == 12
    assert sorted(drawn[:5]) == sorted(drawn[5:10]) == list(range(5)) and len(set(drawn[10:])) == 2
    with_replacement = list(RandomSampler(range(3), replacement=True, num_samples=300))
    assert len(with_replacement) == 300 and set(with_replacement) == {0, 1, 2}
    assert len(list(RandomSampler(range(4), replacement=True))) == 4
    subset = list(SubsetRandomSampler([10, 20, 30, 40]))
    assert sorted(subset) == [10, 20, 30, 40] and len(SubsetRandomSampler([10, 20])) == 2


def test_shuffle_uses_a_random_sampler():
    loader = DataLoader(list(range(20)), batch_size=6, shuffle=True)
    assert isinstance(loader.sampler, RandomSampler) and isinstance(DataLoader([1]).sampler, SequentialSampler)
    assert sorted(i for batch in loader for i in batch.tolist()) == list(range(20)) and len(loader) == 4


def test_pin_memory_warns_and_loads_unpinned():
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but ember has no pinned host memory"):
        loader = DataLoader(list(range(4)), batch_size=2, pin_memory=True)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DataLoader(list(range(4)))
