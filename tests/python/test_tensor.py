"""ember.Tensor from Python: construction, dtypes, properties, operators and printing, against PyTorch."""
import numpy as np
import pytest
import torch

import ember


def test_tensor_infers_dtypes_as_torch():
    for data in ([1.0, 2.5], [1, 2], [True, False], [[1, 2], [3, 4]], 3.5, 7, []):
        e, t = ember.tensor(data), torch.tensor(data)
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
        assert tuple(e.shape) == tuple(t.shape)
    assert ember.tensor(np.arange(3.0)).dtype == ember.float64  # arrays keep their dtype
    assert ember.tensor([1, 2], dtype=ember.float64).dtype == ember.float64


def test_creation_functions(same):
    assert ember.zeros(2, 3).shape == (2, 3) == ember.zeros((2, 3)).shape
    assert repr(ember.ones([2]).shape) == "ember.Size([2])"
    same(ember.arange(5), torch.arange(5))
    same(ember.arange(1, 2, 0.25), torch.arange(1, 2, 0.25))
    same(ember.full((2, 2), 3.5), torch.full((2, 2), 3.5))
    same(ember.eye(3, 2), torch.eye(3, 2))
    same(ember.linspace(0, 1, 5), torch.linspace(0, 1, 5))
    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.dtype == ember.float64
    assert ember.zeros_like(x).dtype == ember.float64 and not ember.zeros_like(x).requires_grad


def test_properties_and_conversions():
    x = ember.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert x.ndim == 2 and x.dim() == 2 and x.numel() == 4 and len(x) == 2
    assert x.size() == (2, 2) and x.size(1) == 2 and x.stride() == (2, 1)
    assert x.dtype == ember.float32 and str(x.device) == "cpu" and repr(x.device) == "device(type='cpu')"
    assert x[0, 0].item() == 1.5 and isinstance(ember.tensor(3).item(), int)
    assert x.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert x.long().dtype == ember.int64 and x.to(ember.float64).dtype == ember.float64
    assert [row.tolist() for row in x] == [[1.5, 2.0], [3.0, 4.0]]
    assert float(ember.tensor(2.5)) == 2.5 and int(ember.tensor(3)) == 3 and bool(ember.tensor(1))
    assert int(ember.tensor(-3.7)) == int(torch.tensor(-3.7)) == -3 and float(ember.tensor(2)) == 2.0
    assert x.T.tolist() == [[1.5, 3.0], [2.0, 4.0]]


def test_repr_matches_torch():
    for data in ([1.0, 2.5], [[1, 2], [3, 4]], [True, False], 3.25, [[1e-5, 2.0], [3.0, 1e4]]):
        assert repr(ember.tensor(data)) == repr(torch.tensor(data))
    assert repr(ember.tensor([1.0], requires_grad=True)) == repr(torch.tensor([1.0], requires_grad=True))
    assert repr(ember.tensor([1.0], dtype=ember.float64)) == repr(torch.tensor([1.0], dtype=torch.float64)).replace(
        "torch.", "ember.")


def test_operators_match_torch(same):
    a_np = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], dtype=np.float32)
    b_np = np.array([2.0, 0.5, -3.0], dtype=np.float32)
    ea, eb, ta, tb = ember.tensor(a_np), ember.tensor(b_np), torch.tensor(a_np), torch.tensor(b_np)
    for op in (lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / y,
               lambda x, y: x + 2, lambda x, y: 2 - x, lambda x, y: 3 * x, lambda x, y: 1 / y,
               lambda x, y: x ** 2, lambda x, y: 2 ** y, lambda x, y: -x, lambda x, y: abs(x),
               lambda x, y: x // y, lambda x, y: x @ y, lambda x, y: (x > 0.7), lambda x, y: x == y,
               lambda x, y: (x < 1) & (x > -1), lambda x, y: ~(x > 0)):
        same(op(ea, eb), op(ta, tb))
    # weak typing of Python numbers, as torch: int tensor * 2.5 is float32, int tensor + 2 stays int64
    same(ember.tensor([1, 2]) * 2.5, torch.tensor([1, 2]) * 2.5)
    same(ember.tensor([1, 2]) + 2, torch.tensor([1, 2]) + 2)


def test_in_place_operators_keep_the_object():
    x = ember.zeros(3)
    same_object = x
    x += 1
    x *= ember.tensor([1.0, 2.0, 3.0])
    x.sub_(0.5).exp_()
    assert x is same_object
    np.testing.assert_allclose(x.numpy(), np.exp([0.5, 1.5, 2.5]), rtol=1e-6)


def test_reductions_and_methods(same):
    a = np.arange(12, dtype=np.float32).reshape(3, 4) - 5
    e, t = ember.tensor(a), torch.tensor(a)
    same(e.sum(), t.sum())
    same(e.sum(1), t.sum(1))
    same(e.mean(dim=(0, 1), keepdim=True), t.mean(dim=(0, 1), keepdim=True))
    same(e.var(0), t.var(0), rtol=1e-5)
    same(e.amax(1), t.amax(1))
    values, indices = e.max(dim=1)
    same(values, t.max(dim=1).values)
    same(indices, t.max(dim=1).indices)
    same(e.argmin(), t.argmin())
    same(e.softmax(1), t.softmax(1))
    same(e.relu().sqrt(), t.relu().sqrt())
    same(e.view(4, 3).permute(1, 0).reshape(-1), t.view(4, 3).permute(1, 0).reshape(-1))
    same(ember.cat([e, e], 1), torch.cat([t, t], 1))
    same(ember.stack([e, e]), torch.stack([t, t]))
    same(ember.where(e > 0, e, ember.zeros_like(e)), torch.where(t > 0, t, torch.zeros_like(t)))


def test_random_is_seeded():
    ember.manual_seed(3)
    a = ember.randn(4)
    ember.manual_seed(3)
    assert ember.randn(4).tolist() == a.tolist()


def test_bad_arguments_are_type_errors():
    with pytest.raises(TypeError, match="expected other to be a Tensor or a number"):
        ember.ones(2) + "a"
    with pytest.raises(TypeError, match="zeros\\(\\): argument 'dtype' must be ember.dtype, not str"):
        ember.zeros(2, dtype="float32")
    with pytest.raises(TypeError, match="tensor\\(\\): argument 'device' must be ember.device or str, not int"):
        ember.tensor([1.0], device=3)


@pytest.mark.parametrize("call, message", [
    # repeat read its Python ints with the GIL released: a -1 crashed the process (SIGSEGV).
    (lambda: ember.ones(3, 2).repeat(2, -1), r"repeat: expected non-negative repeats, got \[2, -1\]"),
    (lambda: ember.ones(3, 2).repeat(-1, 2), r"repeat: expected non-negative repeats, got \[-1, 2\]"),
    (lambda: ember.ones(3, 2).tile(-1), r"tile: expected non-negative repeats, got \[1, -1\]"),
    (lambda: ember.ones(3, 2).expand(-1, -1, 2), "expand: expected a non-negative size for the new leading dimension"),
    (lambda: ember.ones(6).view(-1, -1), "view: only one dimension can be inferred"),
    (lambda: ember.ones(6).reshape(2, -2), r"reshape: invalid shape dimension -2 in \[2, -2\]"),
    (lambda: ember.ones(6).unflatten(0, (-1, -1)), "unflatten: only one dimension can be inferred"),
    (lambda: ember.ones(5).narrow(0, 0, -1), r"narrow: expected start \(0\) \+ length \(-1\) to be within"),
    (lambda: ember.zeros(2, -1), r"expected non-negative sizes, got \[2, -1\]"),
    (lambda: ember.full((-1,), 1.0), r"expected non-negative sizes, got \[-1\]"),
])
def test_bad_sizes_raise_and_never_crash(call, message):
    with pytest.raises(Exception, match=message):
        call()
