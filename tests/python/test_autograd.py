"""Autograd from Python: backward, grad, grad modes, hooks, grad_fn, against PyTorch."""
import re
import threading

import numpy as np
import pytest
import torch

import ember


def test_backward_matches_torch():
    a = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    e, t = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for x, lib in ((e, ember), (t, torch)):
        y = (x.exp() * x + 3).softmax(1)[:, 0].sum() + (x @ x).relu().mean()
        y.backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_grad_and_create_graph():
    x = ember.tensor([2.0], dtype=ember.float64, requires_grad=True)
    (g,) = ember.autograd.grad((x * x * x).sum(), x, create_graph=True)
    assert g.tolist() == [12.0]
    (gg,) = ember.autograd.grad(g.sum(), x)
    assert gg.tolist() == [12.0]
    assert ember.autograd.grad((x * 2).sum(), [x, ember.zeros(1, requires_grad=True)], allow_unused=True)[1] is None


def test_grad_fn_names_and_leaves():
    x = ember.ones(2, requires_grad=True)
    y = (x * 2).sum()
    assert x.is_leaf and x.grad_fn is None and not y.is_leaf
    assert y.grad_fn.name() == "SumBackward"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward"
    # torch's layout, <SumBackward0 object at 0x7f...>: ember's names have no overload number.
    assert re.fullmatch(r"<SumBackward object at 0x[0-9a-f]+>", repr(y.grad_fn))


def test_grad_modes_as_context_managers_and_decorators():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert (x * 2).requires_grad
    assert (x * 2).requires_grad

    @ember.no_grad()
    def doubled(t):
        return t * 2

    assert not doubled(x).requires_grad and ember.is_grad_enabled()
    with ember.inference_mode():
        assert not (x * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


def test_python_hooks_see_and_replace_gradients():
    x = ember.ones(3, requires_grad=True)
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[1.0, 1.0, 1.0]]
    assert x.grad.tolist() == [20.0, 20.0, 20.0]


def test_errors_in_backward_are_runtime_errors():
    x = ember.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        x.numpy()


def test_two_threads_train_independently():
    """The GIL is released in kernels and backward: two threads give the results of one after the other."""
    def train(seed, out):
        ember.manual_seed(seed)
        w = ember.randn(64, 64, requires_grad=True)
        for _ in range(20):
            loss = (w @ w).tanh().sum()
            w.grad = None
            loss.backward()
            with ember.no_grad():
                w -= w.grad * 0.01
        out[seed] = w.detach().clone()

    serial, parallel = {}, {}
    for seed in (1, 2):
        train(seed, serial)
    threads = [threading.Thread(target=train, args=(seed, parallel)) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed in (1, 2):
        assert serial[seed].tolist() == parallel[seed].tolist()


class Cube(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x * ctx.scale, None


class SplitExp(ember.autograd.Function):
    """Two outputs, one saved; only the first is used downstream."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y, x * 2

    @staticmethod
    def backward(ctx, grad_y, grad_twice):
        (y,) = ctx.saved_tensors
        return grad_y * y + grad_twice * 2


def test_python_function_forward_and_backward():
    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.tolist() == [2.0, 16.0] and y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]
    assert ember.autograd.gradcheck(lambda t: Cube.apply(t, 0.5), x)

    x.grad = None
    first, _ = SplitExp.apply(x)
    first.sum().backward()  # the unused output's gradient arrives as zeros
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]))
    with ember.no_grad():
        assert not Cube.apply(x, 1.0).requires_grad


def test_function_returning_wrong_gradient_count_is_an_error():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="BadBackward returned an incorrect number of gradients"):
        Bad.apply(x).sum().backward()


def test_gradcheck_from_python():
    x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: (t * t).tanh(), (x,))
    assert ember.autograd.gradgradcheck(lambda t: (t * t).tanh(), (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(lambda t: Cube.apply(t, 1.0) + t.detach() * 0 + _Halved.apply(t), (x,))


class _Halved(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad  # wrong on purpose: the true gradient is 2 * grad


def make_nan(x):
    return (x - x.detach()).log()  # log(0) = -inf in forward


def test_anomaly_mode_names_the_python_line_that_recorded_the_op():
    x = ember.ones(3, requires_grad=True)
    with ember.autograd.detect_anomaly():
        with pytest.raises(RuntimeError) as error:
            make_nan(x)
    message = str(error.value)
    assert "anomaly mode: log" in message and "produced NaN or Inf" in message
    assert "Python traceback of the forward call" in message
    assert "in make_nan" in message and "test_autograd.py" in message
    assert not ember.autograd.grad_mode._C.is_anomaly_enabled()


# Writes into part of a tensor in the graph (issue 12): the same program runs on
# both libraries and the gradients must agree (PyTorch rewrites the base's
# history through CopySlices; so does ember, see autograd/inplace.cpp).
WRITES = {
    "setitem a row with a number": lambda y, s, lib: y.__setitem__(0, 0.25),
    "setitem a strided slice from a tensor": lambda y, s, lib: y.__setitem__((slice(None), slice(0, 3, 2)), s * 2),
    "setitem through a bool mask": lambda y, s, lib: y.__setitem__(y > 0.2, 1.5),
    "setitem with an index tensor": lambda y, s, lib: y.__setitem__(lib.tensor([1, 0]), s[:1].exp()),
    "mul_ on a view of a view": lambda y, s, lib: y.t()[1:].mul_(s.sum()),
    "copy_ into a column": lambda y, s, lib: y[:, 1].copy_(s),
    "fill_ and zero_ on views": lambda y, s, lib: (y[1, 1:].fill_(3.0), y[0, :1].zero_()),
    "a view taken before the write": lambda y, s, lib: y[:, 0].add_(s),
}


@pytest.mark.parametrize("make", ["pow", "mul", "matmul"])
@pytest.mark.parametrize("write", list(WRITES))
def test_writes_into_views_have_torchs_gradients(make, write):
    x0 = np.array([[0.3, -1.2, 0.7], [1.5, -0.4, 0.1]])
    s0 = np.array([0.8, -0.6])
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(x0, dtype=lib.float64, requires_grad=True)
        s = lib.tensor(s0, dtype=lib.float64, requires_grad=True)
        y = {"pow": lambda: (x * 1.0).pow(3), "mul": lambda: x * x.flip(0),
             "matmul": lambda: lib.ones(2, 2, dtype=lib.float64) @ x}[make]()
        before = y[1]  # a view taken before the write sees it
        WRITES[write](y, s, lib)
        (y.sin().sum() + before.exp().sum()).backward()
        grads.append((y.detach().numpy().copy(), x.grad.numpy().copy(),
                      None if s.grad is None else s.grad.numpy().copy()))
    (ey, ex, es), (ty, tx, ts) = grads
    np.testing.assert_allclose(ey, ty, rtol=1e-12)
    np.testing.assert_allclose(ex, tx, rtol=1e-12, atol=1e-12)
    assert (es is None) == (ts is None)
    if es is not None:
        np.testing.assert_allclose(es, ts, rtol=1e-12, atol=1e-12)


def test_the_issues_example_zeroes_the_overwritten_row():
    x = ember.tensor([[0.3, -1.2, 0.7], [1.5, -0.4, 0.1]], dtype=ember.float64, requires_grad=True)
    y = (x * 1.0).pow(3)
    y[0] = 0.25
    y.sum().backward()
    assert x.grad[0].tolist() == [0.0, 0.0, 0.0]
    np.testing.assert_allclose(x.grad[1].numpy(), 3 * np.array([1.5, -0.4, 0.1]) ** 2)
    assert type(y.grad_fn).__name__ == "CopySlices" or "CopySlices" in repr(y.grad_fn)


def test_writes_torch_refuses_raise_runtime_errors():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        x[0] = 2.0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[:2].fill_(1.0)
    with ember.no_grad():
        v = x[:2]
        x[2] = 5.0  # under no_grad, as an optimizer writes
    assert v.requires_grad and v.is_leaf and v._base.data_ptr() == x.data_ptr()  # as torch's
    with pytest.raises(RuntimeError, match="a view was created in no_grad mode"):
        v.mul_(2)
    with pytest.raises(RuntimeError, match="returns multiple views"):
        (x * 1).split(1)[0].mul_(2)
    assert x.tolist() == [1.0, 1.0, 5.0]
