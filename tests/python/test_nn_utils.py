"""ember.nn.utils.clip_grad_norm_ / clip_grad_value_ against torch.nn.utils' on the same gradients: the clipped
gradients and the returned total norm (a 0-d tensor of the gradients' dtype), parameters given as a list, a
generator or one tensor, those without a gradient skipped, and torch's non-finite norm error."""
import math

import numpy as np
import pytest
import torch

import ember

rng = np.random.default_rng(3)
GRADS = [rng.standard_normal((4, 3)), rng.standard_normal(5) * 3, rng.standard_normal((2, 2, 2))]


def params_with_grads(lib, grads=GRADS, dtype="float32", without_grad=1):
    """Parameters with grads set to the given values, and `without_grad` more that have none."""
    params = []
    for g in grads:
        p = lib.zeros(*g.shape, dtype=getattr(lib, dtype), requires_grad=True)
        (p * lib.tensor(g, dtype=getattr(lib, dtype))).sum().backward()
        params.append(p)
    return params + [lib.zeros(2, requires_grad=True) for _ in range(without_grad)]


def assert_same_grads(ours, theirs, rtol=1e-6):
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_equals_torchs(norm_type, max_norm, dtype):
    ours, theirs = params_with_grads(ember, dtype=dtype), params_with_grads(torch, dtype=dtype)
    total = ember.nn.utils.clip_grad_norm_((p for p in ours), max_norm, norm_type=norm_type)  # a generator
    expected = torch.nn.utils.clip_grad_norm_((p for p in theirs), max_norm, norm_type=norm_type)
    assert isinstance(total, ember.Tensor) and total.shape == () and total.dtype.name == dtype
    assert total.item() == pytest.approx(expected.item(), rel=1e-6)
    assert_same_grads(ours, theirs)


def test_clip_grad_norm_of_one_tensor_and_of_none_with_grads():
    [ours], [theirs] = params_with_grads(ember, GRADS[:1], without_grad=0), params_with_grads(torch, GRADS[:1],
                                                                                              without_grad=0)
    assert ember.nn.utils.clip_grad_norm_(ours, 1.0).item() == pytest.approx(
        torch.nn.utils.clip_grad_norm_(theirs, 1.0).item(), rel=1e-6)
    assert_same_grads([ours], [theirs])
    total = ember.nn.utils.clip_grad_norm_([ember.zeros(2, requires_grad=True)], 1.0)
    assert total.item() == torch.nn.utils.clip_grad_norm_([torch.zeros(2, requires_grad=True)], 1.0).item() == 0
    assert total.dtype == ember.float32 and total.shape == ()


def test_non_finite_norm():
    grads = [np.array([1.0, math.nan]), np.array([2.0])]
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="non-finite"):
            lib.nn.utils.clip_grad_norm_(params_with_grads(lib, grads), 1.0, error_if_nonfinite=True)
    ours, theirs = params_with_grads(ember, grads), params_with_grads(torch, grads)
    assert math.isnan(ember.nn.utils.clip_grad_norm_(ours, 1.0).item())
    assert math.isnan(torch.nn.utils.clip_grad_norm_(theirs, 1.0).item())
    assert_same_grads(ours, theirs)  # NaN everywhere, as torch's
    with pytest.raises(ValueError, match="norm_type"):
        ember.nn.utils.clip_grad_norm_(params_with_grads(ember), 1.0, norm_type=-1)


@pytest.mark.parametrize("clip_value", [0.5, 2, 10.0])
def test_clip_grad_value_equals_torchs(clip_value):
    ours, theirs = params_with_grads(ember), params_with_grads(torch)
    assert ember.nn.utils.clip_grad_value_(iter(ours), clip_value) is None
    torch.nn.utils.clip_grad_value_(iter(theirs), clip_value)
    assert_same_grads(ours, theirs)
    assert max(float(p.grad.abs().max()) for p in ours if p.grad is not None) <= clip_value
    one = params_with_grads(ember, GRADS[1:2], without_grad=0)[0]
    ember.nn.utils.clip_grad_value_(one, 0.1)
    assert float(one.grad.abs().max()) == pytest.approx(0.1)
