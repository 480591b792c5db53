"""ember.autograd: backward, grad, and the grad-mode context managers, as torch.autograd."""
from ember import _C
from ember.autograd.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled

grad = _C.grad


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Accumulates the gradients of tensors (a Tensor or a sequence) into the leaves' .grad."""
    _C.backward(tensors, grad_tensors, retain_graph, create_graph)


__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode"]
