"""DataLoader(num_workers > 0) on Python datasets: worker processes give the very batches (order and values) of
num_workers=0, shuffled or not; worker exceptions arrive as their type with the worker's traceback (torch's
message); worker_init_fn and get_worker_info as torch's; no worker process outlives its iterator (or, with
persistent_workers, its DataLoader); timeout as torch's."""
import gc
import multiprocessing
import os
import random
import time

import pytest

import ember
from ember.utils.data import DataLoader, Dataset, RandomSampler, TensorDataset, get_worker_info


class Samples(Dataset):
    """Sample i: (a float64 row, a dict of an int and an int32 tensor); a ValueError at fail_at."""

    def __init__(self, n=37, fail_at=None):
        self.n, self.fail_at = n, fail_at

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise ValueError(f"sample {i} is broken")
        return ember.tensor([i, i * 0.5], dtype=ember.float64), {"index": i, "id": ember.tensor(i, dtype=ember.int32)}


def epochs(loader, count=2, seed=0):
    ember.manual_seed(seed)
    return [[(rows.tolist(), labels["index"].tolist(), labels["id"].dtype) for rows, labels in loader]
            for _ in range(count)]


def assert_no_workers_left():
    gc.collect()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_workers_give_the_batches_of_the_main_process(shuffle, drop_last):
    expected = epochs(DataLoader(Samples(), batch_size=4, shuffle=shuffle, drop_last=drop_last))
    for workers, prefetch in [(1, 2), (2, 2), (3, 1)]:
        loader = DataLoader(Samples(), batch_size=4, shuffle=shuffle, drop_last=drop_last, num_workers=workers,
                            prefetch_factor=prefetch)
        assert epochs(loader) == expected
        assert len(loader) == len(expected[0])
    assert_no_workers_left()


def test_tensor_dataset_and_collate_fn_through_workers():
    x, y = ember.randn(10, 3), ember.arange(10)
    for collate_fn in (None, lambda samples: [s[1].item() for s in samples]):
        ember.manual_seed(1)
        ours = list(DataLoader(TensorDataset(x, y), batch_size=3, shuffle=True, collate_fn=collate_fn, num_workers=2))
        ember.manual_seed(1)
        expected = list(DataLoader(TensorDataset(x, y), batch_size=3, shuffle=True, collate_fn=collate_fn))
        flatten = (lambda b: b) if collate_fn else (lambda b: (b[0].tolist(), b[1].tolist()))
        assert [flatten(b) for b in ours] == [flatten(b) for b in expected]
    assert_no_workers_left()


def test_worker_exception_is_reraised_with_the_workers_traceback():
    loader = DataLoader(Samples(fail_at=9), batch_size=4, num_workers=2)
    it = iter(loader)
    assert [next(it)[1]["index"].tolist() for _ in range(2)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(ValueError) as error:
        next(it)
    message = str(error.value)
    assert message.startswith("Caught ValueError in DataLoader worker process 0.\nOriginal Traceback")
    assert "sample 9 is broken" in message and "__getitem__" in message
    assert next(it)[1]["index"].tolist() == [12, 13, 14, 15]  # the iterator goes on, as torch's
    del it, error
    assert_no_workers_left()


class NeedsTwoArguments(Exception):
    def __init__(self, code, text):
        super().__init__(code, text)


class RaisesCustom(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 0:
            raise KeyError("missing")
        raise NeedsTwoArguments(3, "custom")


def test_exception_types_that_cannot_take_the_message():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        next(iter(DataLoader(RaisesCustom(), batch_size=1, num_workers=1)))
    it = iter(DataLoader(RaisesCustom(), batch_size=1, num_workers=1))
    with pytest.raises(KeyError):
        next(it)
    with pytest.raises(RuntimeError, match="Caught NeedsTwoArguments in DataLoader worker process 0"):
        next(it)  # torch's fallback: a RuntimeError with the same message
    del it
    assert_no_workers_left()


class ReportsWorker(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return ember.tensor([info.id, info.num_workers, info.seed % 1000, len(info.dataset), random.randrange(10**9),
                             getattr(info.dataset, "initialised_by", -1)])


def test_worker_init_fn_and_get_worker_info():
    assert get_worker_info() is None

    def init(worker_id):
        info = get_worker_info()
        assert info.id == worker_id
        info.dataset.initialised_by = worker_id

    ember.manual_seed(5)
    rows = [row for batch in DataLoader(ReportsWorker(), batch_size=2, num_workers=2, worker_init_fn=init)
            for row in batch.tolist()]
    assert [row[0] for row in rows] == [0, 0, 1, 1, 0, 0, 1, 1]  # batches go to the workers in turn
    assert all(row[1] == 2 and row[3] == 8 and row[5] == row[0] for row in rows)
    seeds = {row[0]: row[2] for row in rows}
    assert (seeds[1] - seeds[0]) % 1000 == 1  # base_seed + worker id, as torch's
    assert rows[0][4] != rows[2][4]  # each worker's random is seeded with its own seed
    ember.manual_seed(5)
    again = [row for batch in DataLoader(ReportsWorker(), batch_size=2, num_workers=2, worker_init_fn=init)
             for row in batch.tolist()]
    assert again == rows  # seeded from ember's default generator in the main process

    def failing_init(worker_id):
        raise OSError(f"no device for worker {worker_id}")

    with pytest.raises(OSError, match="Caught OSError in DataLoader worker process 0(.|\n)*no device for worker 0"):
        list(DataLoader(ReportsWorker(), batch_size=2, num_workers=1, worker_init_fn=failing_init))
    assert_no_workers_left()


def test_workers_stop_when_the_iterator_is_dropped_early():
    it = iter(DataLoader(Samples(n=200), batch_size=2, num_workers=2))
    next(it)
    assert len(multiprocessing.active_children()) == 2
    del it
    assert_no_workers_left()


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(Samples(), num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified in multiprocessing"):
        DataLoader(Samples(), prefetch_factor=4)
    with pytest.raises(ValueError, match="prefetch_factor should be a positive integer"):
        DataLoader(Samples(), num_workers=1, prefetch_factor=0)


def test_unpicklable_batch_is_an_error_not_a_hang():
    loader = DataLoader(Samples(n=2), batch_size=2, num_workers=1, collate_fn=lambda samples: lambda: samples)
    with pytest.raises(Exception, match="Caught .* in DataLoader worker process 0(.|\n)*pickle"):
        next(iter(loader))
    assert_no_workers_left()


def test_spawned_workers():
    dataset = TensorDataset(ember.arange(10.0), ember.arange(10))  # pickled to the workers, tensors and all
    batches = DataLoader(dataset, batch_size=4, num_workers=2, multiprocessing_context="spawn")
    assert [(x.tolist(), y.tolist()) for x, y in batches] == [(x.tolist(), y.tolist()) for x, y in
                                                              DataLoader(dataset, batch_size=4)]
    assert_no_workers_left()


def test_samplers_through_workers():
    ember.manual_seed(3)
    sampler = RandomSampler(Samples(), replacement=True, num_samples=50)
    for kwargs in [dict(sampler=[5, 3, 3, 0, 36], batch_size=2), dict(batch_sampler=[[1, 2], [30], [4, 4, 4]]),
                   dict(batch_size=None, sampler=[7, 2]), dict(sampler=sampler, batch_size=7, drop_last=True)]:
        ember.manual_seed(0)
        expected = [repr(batch) for batch in DataLoader(Samples(), **kwargs)]
        ember.manual_seed(0)
        assert [repr(batch) for batch in DataLoader(Samples(), num_workers=2, **kwargs)] == expected
    assert_no_workers_left()


class Pids(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return os.getpid()


def worker_pids(loader):
    return {pid for batch in loader for pid in batch.tolist()}


def test_persistent_workers_serve_every_epoch_until_the_loader_is_collected():
    loader = DataLoader(Pids(), batch_size=2, num_workers=2, persistent_workers=True)
    first = worker_pids(loader)
    assert len(first) == 2 and os.getpid() not in first
    assert len(multiprocessing.active_children()) == 2  # still there between epochs
    unfinished = iter(loader)
    next(unfinished)  # its batches in flight must not reach the next epoch
    assert worker_pids(loader) == first
    assert list(unfinished) == []  # ended by the next epoch, as torch's (the same iterator, reset)
    assert epochs(DataLoader(Samples(), batch_size=4, num_workers=2, persistent_workers=True)) == \
        epochs(DataLoader(Samples(), batch_size=4))
    del loader
    assert_no_workers_left()
    loader = DataLoader(Pids(), batch_size=2, num_workers=2)
    first = worker_pids(loader)
    assert not first & worker_pids(loader)  # new workers each epoch
    assert_no_workers_left()


class Slow(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(3 if i == 2 else 0)
        return i


def test_timeout_waiting_for_a_batch():
    it = iter(DataLoader(Slow(), batch_size=2, num_workers=1, timeout=0.5))
    assert next(it).tolist() == [0, 1]
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.5 seconds$"):
        next(it)
    del it
    assert [b.tolist() for b in DataLoader(Slow(), batch_size=2, num_workers=1, timeout=10)] == [[0, 1], [2, 3]]
    assert_no_workers_left()
