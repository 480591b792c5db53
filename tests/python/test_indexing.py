"""t[index] and t[index] = v: basic indices are views, tensor indices gather copies, as PyTorch/NumPy."""
import numpy as np
import pytest
import torch

import ember

A = np.arange(60, dtype=np.float32).reshape(3, 4, 5)


@pytest.mark.parametrize("index", [
    1, -1, (0, 2), (slice(1, None), slice(None, None, 2)), (Ellipsis, None), (None, 1, Ellipsis, 3),
    (slice(None), 2), (Ellipsis, slice(1, 4)), (slice(-2, None), slice(None), -1),
    [2, 0], ([0, 2], [1, 3]), (slice(None), [3, 0, 3]), (1, [0, 2], slice(1, 3)),
    ([0, 2], slice(None), [1, 4]), (Ellipsis, [4, 0]), np.array([[0, 1], [2, 0]]),
])
def test_getitem_matches_torch(index):
    e, t = ember.tensor(A), torch.tensor(A)
    ei = ember.tensor(index) if isinstance(index, np.ndarray) else index
    ti = torch.tensor(index) if isinstance(index, np.ndarray) else index
    np.testing.assert_array_equal(e[ei].numpy(), t[ti].numpy())


def test_bool_masks():
    e, t = ember.tensor(A), torch.tensor(A)
    np.testing.assert_array_equal(e[e > 30].numpy(), t[t > 30].numpy())
    row_mask = [True, False, True]
    np.testing.assert_array_equal(e[ember.tensor(row_mask)].numpy(), t[torch.tensor(row_mask)].numpy())


def test_basic_indices_are_views():
    e = ember.zeros(3, 4)
    view = e[1:, ::2]
    view += 1
    assert e.tolist() == [[0, 0, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]]


@pytest.mark.parametrize("index,value", [
    ((0, 1), 7.0), (slice(1, 3), -1.0), ((Ellipsis, 2), np.array([1.0, 2.0, 3.0], dtype=np.float32)),
    ([2, 0], 5.0), (([0, 1], [1, 2]), np.array([8.0, 9.0], dtype=np.float32)),
])
def test_setitem_matches_torch(index, value):
    e, t = ember.zeros(3, 4), torch.zeros(3, 4)
    e[index] = ember.tensor(value) if isinstance(value, np.ndarray) else value
    t[index] = torch.tensor(value) if isinstance(value, np.ndarray) else value
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_setitem_with_mask():
    e, t = ember.tensor(A), torch.tensor(A)
    e[e > 50] = 0.0
    t[t > 50] = 0.0
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_indexing_differentiates():
    x = ember.tensor(A, requires_grad=True)
    (x[1:, [0, 2]] * 2).sum().backward()
    expected = np.zeros_like(A)
    expected[1:, [0, 2]] = 2
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_index_errors_are_index_errors():
    e = ember.zeros(3, 4)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        e[3]
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 1 with size 4"):
        e[:, [0, 9]]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        e[0, 0, 0]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        e[::-1]
    with pytest.raises(IndexError, match="only integers, slices"):
        e["a"]
