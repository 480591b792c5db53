"""DataLoader's torch 1.13 signature and samplers (ember/utils/data/sampler.py): the same code run with torch and
with ember gives the same batches, len() and errors where the order is deterministic; random orders are checked
for what they must be (a permutation, the right count, drawn lazily) and for what decides them (ember.manual_seed,
generator=)."""
import inspect
import itertools
import random
import time
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


def test_random_sampler_orders():
    order = list(RandomSampler(range(50)))
    assert sorted(order) == list(range(50)) and order != list(range(50))
    twice = RandomSampler(range(5), num_samples=12)
    drawn = list(twice)
    assert len(twice) == len(drawn) == 12
    assert sorted(drawn[:5]) == sorted(drawn[5:10]) == list(range(5)) and len(set(drawn[10:])) == 2
    with_replacement = list(RandomSampler(range(3), replacement=True, num_samples=300))
    assert len(with_replacement) == 300 and set(with_replacement) == {0, 1, 2}
    assert len(list(RandomSampler(range(4), replacement=True))) == 4
    assert len(list(RandomSampler(range(4), replacement=True, num_samples=70))) == 70  # 2 chunks of 32 and 6
    subset = list(SubsetRandomSampler([10, 20, 30, 40]))
    assert sorted(subset) == [10, 20, 30, 40] and len(SubsetRandomSampler([10, 20])) == 2


@pytest.mark.parametrize("replacement", [True, False])
def test_a_huge_num_samples_is_drawn_lazily(replacement):
    # Building all 10**10 indices up front hung; torch draws them as they are asked for.
    for lib in (torch, ember):
        sampler = lib.utils.data.RandomSampler(range(10), replacement=replacement, num_samples=10**10)
        start = time.monotonic()
        first = list(itertools.islice(sampler, 25))
        assert time.monotonic() - start < 5.0
        assert len(sampler) == 10**10 and len(first) == 25 and all(0 <= i < 10 for i in first)
        if not replacement:
            assert sorted(first[:10]) == list(range(10))


SAMPLERS = {
    "RandomSampler": lambda generator: RandomSampler(range(40), generator=generator),
    "RandomSampler with replacement": lambda generator: RandomSampler(range(40), replacement=True, num_samples=70,
                                                                      generator=generator),
    "SubsetRandomSampler": lambda generator: SubsetRandomSampler(list(range(100, 140)), generator=generator),
    "DataLoader(shuffle=True)": lambda generator: [i for batch in DataLoader(list(range(40)), batch_size=6,
                                                                              shuffle=True, generator=generator)
                                                   for i in batch.tolist()],
}


@pytest.mark.parametrize("name", SAMPLERS)
def test_manual_seed_decides_the_order(name):
    # As torch's: without generator=, the order comes from ember's default generator; Python's random plays no part.
    def order(seed):
        ember.manual_seed(seed)
        random.seed(1000)  # the same each time: if Python's random decided the order, seeds could not change it
        return list(SAMPLERS[name](None))

    assert order(0) == order(0) != order(1)
    ember.manual_seed(0)
    epochs = SAMPLERS[name](None)
    if not isinstance(epochs, list):
        assert list(epochs) != list(epochs)  # each epoch (each iter) a new order


@pytest.mark.parametrize("name", SAMPLERS)
def test_generator_decides_the_order(name):
    def order(seed):
        return list(SAMPLERS[name](ember.Generator().manual_seed(seed)))

    assert order(3) == order(3) != order(4)
    ember.manual_seed(0)
    expected_next = ember.rand(5).tolist()
    ember.manual_seed(0)
    order(3)
    assert ember.rand(5).tolist() == expected_next  # the default generator was left alone


def test_generator_api_as_torchs():
    for lib in (torch, ember):
        generator = lib.Generator()
        assert generator.manual_seed(7) is generator and generator.initial_seed() == 7
        assert isinstance(lib.manual_seed(3), lib.Generator) and lib.initial_seed() == 3
        assert lib.manual_seed(3) is lib.default_generator
        assert generator.seed() == generator.initial_seed()
    # A generator seeded s gives the stream the default one gives after manual_seed(s).
    generator = ember.Generator().manual_seed(11)
    ember.manual_seed(11)
    assert ember.randperm(30, generator=generator).tolist() == ember.randperm(30).tolist()
    assert ember.randint(0, 9, (20,), generator=generator).tolist() == ember.randint(0, 9, (20,)).tolist()


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
