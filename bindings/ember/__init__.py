"""ember: a define-by-run tensor library with tape autograd, the PyTorch way.

`import ember as torch` runs a PyTorch script for the subset ember implements.
The C++ library is bound in ember._C (bindings/src/); this package arranges
its names as torch's.
"""
import builtins as _builtins
import collections as _collections

from ember import _C
from ember._C import (Tensor, arange, cat, device, dtype, empty, empty_like, eye, from_dlpack, from_numpy, full,
                      get_num_threads, is_grad_enabled, linspace, log_softmax, manual_seed, matmul, ones, ones_like,
                      rand, rand_like, randn, randn_like, set_num_threads, softmax, stack, tensor, where, zeros,
                      zeros_like)

float32 = float = dtype.float32
float64 = double = dtype.float64
float16 = half = dtype.float16
bfloat16 = dtype.bfloat16
int64 = long = dtype.int64
int32 = int = dtype.int32
uint8 = dtype.uint8
bool = dtype.bool


class Size(tuple):
    """A tensor's shape: a tuple of ints, printed as torch.Size is."""

    def __repr__(self):
        return f"ember.Size([{', '.join(str(s) for s in self)}])"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class return_types:  # noqa: N801 (torch's name)
    """The named pairs some reductions return, as torch.return_types."""
    max_min = _collections.namedtuple("max_min", ["values", "indices"])


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


from ember import _pickling, autograd  # noqa: E402,F401 (need the names above)
from ember.autograd import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: E402
from ember import nn, optim, utils  # noqa: E402
from ember.serialization import load, save  # noqa: E402
from ember._C.nn import relu, sigmoid, tanh  # noqa: E402

del _builtins
