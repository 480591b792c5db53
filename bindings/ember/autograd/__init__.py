"""ember.autograd: backward, grad, and the grad-mode context managers, as torch.autograd."""
from ember import _C
from ember.autograd.function import Function, FunctionCtx
from ember.autograd.grad_mode import (detect_anomaly, enable_grad, inference_mode, no_grad, set_detect_anomaly,
                                      set_grad_enabled)

grad = _C.grad


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Accumulates the gradients of tensors (a Tensor or a sequence) into the leaves' .grad."""
    _C.backward(tensors, grad_tensors, retain_graph, create_graph)


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Compares backward's gradients of func at inputs (float64 tensors) with central finite differences;
    True, or RuntimeError naming the input, the element and both values."""
    inputs = (inputs,) if isinstance(inputs, _C.Tensor) else tuple(inputs)
    return _C.gradcheck(func, list(inputs), eps, atol, rtol, False)


def gradgradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """gradcheck of the gradients themselves (the backward of the backward, recorded with create_graph)."""
    inputs = (inputs,) if isinstance(inputs, _C.Tensor) else tuple(inputs)
    return _C.gradcheck(func, list(inputs), eps, atol, rtol, True)


__all__ = ["backward", "grad", "gradcheck", "gradgradcheck", "Function", "FunctionCtx", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "detect_anomaly", "set_detect_anomaly"]
