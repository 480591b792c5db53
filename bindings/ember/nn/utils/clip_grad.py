"""clip_grad_norm_ and clip_grad_value_ as torch.nn.utils': the C++ ones of
optim/clip_grad.h (which skip parameters without a gradient), taking what
torch takes: one tensor or any iterable of them, a generator included."""
from ember._C import Tensor, optim as _optim, tensor


def _tensors(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scales the gradients so that their norm_type-norm taken together is at most max_norm. Returns that
    norm (before clipping) as torch does: a 0-d tensor of the gradients' dtype and device (0.0 if none)."""
    parameters = _tensors(parameters)
    total = _optim.clip_grad_norm_(parameters, float(max_norm), float(norm_type), error_if_nonfinite)
    grads = [p.grad for p in parameters if p.grad is not None]
    return tensor(total, dtype=grads[0].dtype, device=grads[0].device) if grads else tensor(0.0)


def clip_grad_value_(parameters, clip_value):
    """Clamps every gradient element into [-clip_value, clip_value], in place."""
    _optim.clip_grad_value_(_tensors(parameters), float(clip_value))
