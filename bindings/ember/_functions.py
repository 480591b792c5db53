"""torch.<op>(input, ...) for every op that is also a Tensor method: each calls
the method (bindings/src/tensor.cpp, tensor_ops.cpp), so one binding serves
both spellings and they cannot drift apart; out= writes the result into out.
torch.pow(2, t) with a number first is the one form a method cannot take: it
goes through t.__rpow__.
"""
from ember._C import Tensor, is_grad_enabled
from ember.autograd.grad_mode import no_grad

_NAMES = """
    abs neg sign exp exp2 log log2 log1p expm1 sqrt rsqrt sin cos tan floor ceil round trunc reciprocal erf square
    add sub mul div true_divide floor_divide maximum minimum lerp clamp clip nan_to_num
    eq ne lt le gt ge logical_and logical_or logical_not isnan isinf isfinite isclose allclose equal
    sum mean prod amax amin max min argmax argmin var std logsumexp norm all any cumsum
    matmul mm bmm mv dot outer addmm
    reshape flatten unflatten squeeze unsqueeze transpose swapaxes swapdims permute t narrow select diagonal
    tile flip roll tril triu chunk split unbind
    index_select gather scatter scatter_add index_add masked_select masked_fill take nonzero argwhere
    sort argsort topk clone detach bernoulli is_floating_point
""".split()


def _write_out(name, result, out):
    """torch's out=: the result written into out (a tuple of tensors for sort, topk, ...), which is returned.
    torch resizes an out of another shape; ember does not resize tensors, so that is an error naming both."""
    results, outs = (result, out) if isinstance(result, tuple) else ((result,), (out,))
    if is_grad_enabled() and any(t.requires_grad for t in results + tuple(outs)):
        # Written under no_grad below, out would silently lose the gradient: refused, as torch does.
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    for r, o in zip(results, outs, strict=True):
        if tuple(o.shape) != tuple(r.shape):
            raise RuntimeError(f"{name}(): expected out= of shape {list(r.shape)}, got {list(o.shape)} "
                               "(ember does not resize out=)")
        with no_grad():
            o.copy_(r)
    return out


def _function_of(name):
    method = getattr(Tensor, name)

    def function(input, *args, out=None, **kwargs):  # noqa: A002 (torch's parameter name)
        result = method(input, *args, **kwargs)
        return result if out is None else _write_out(name, result, out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"ember.{name}(input, ...) is input.{name}(...)."
    return function


FUNCTIONS = {name: _function_of(name) for name in _NAMES}


def pow(input, exponent):  # noqa: A001 (torch's name)
    """input ** exponent; input may be a number when exponent is a Tensor, as torch.pow(2, t)."""
    return exponent.__rpow__(input) if not isinstance(input, Tensor) else input.pow(exponent)


FUNCTIONS["pow"] = pow
