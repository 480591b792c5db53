"""ember: a define-by-run tensor library with tape autograd, the PyTorch way.

`import ember as torch` runs a PyTorch script for the subset ember implements.
The C++ library is bound in ember._C (bindings/src/); this package arranges
its names as torch's.
"""
import builtins as _builtins
import collections as _collections

from ember import _C
from ember._C import (Generator, Tensor, arange, cat, default_generator, device, dtype, empty, empty_like, eye,
                      from_dlpack, from_numpy, full, get_num_threads, initial_seed, is_grad_enabled, linspace,
                      log_softmax, manual_seed, ones, ones_like, rand, rand_like, randn, randn_like, set_num_threads,
                      softmax, stack, tensor, where, zeros, zeros_like)

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
    """The named (values, indices) pairs of max, min (along a dim), sort and topk, as torch.return_types."""
    max = _collections.namedtuple("max", ["values", "indices"])
    min = _collections.namedtuple("min", ["values", "indices"])
    sort = _collections.namedtuple("sort", ["values", "indices"])
    topk = _collections.namedtuple("topk", ["values", "indices"])


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def get_default_dtype():
    """float32: ember's creation functions default to it, as torch's do unless set_default_dtype changed it."""
    return float32


def as_tensor(data, dtype=None, device=None):
    """data as a tensor, sharing its memory when it can: a Tensor of the dtype and device asked is itself, a
    NumPy array of them its view (from_numpy); anything else a copy, as torch.as_tensor."""
    if isinstance(data, Tensor):
        same = (dtype is None or dtype == data.dtype) and (device is None or device == data.device)
        return data if same else data.to(device or data.device, dtype or data.dtype)
    if type(data).__module__ == "numpy" and type(data).__name__ == "ndarray":
        return from_numpy(data).to(device or "cpu", dtype or from_numpy(data).dtype)
    return tensor(data, dtype=dtype, device=device)


concat = cat


def _legacy_constructor(name, dtype_):
    def construct(*args):
        return _C._legacy_new(dtype_, *args)

    construct.__name__ = construct.__qualname__ = name
    construct.__doc__ = f"torch.{name}(*sizes) or torch.{name}(data): the legacy constructor, {dtype_}."
    return construct


FloatTensor = _legacy_constructor("FloatTensor", float32)
DoubleTensor = _legacy_constructor("DoubleTensor", float64)
HalfTensor = _legacy_constructor("HalfTensor", float16)
LongTensor = _legacy_constructor("LongTensor", int64)
IntTensor = _legacy_constructor("IntTensor", int32)
ByteTensor = _legacy_constructor("ByteTensor", uint8)
BoolTensor = _legacy_constructor("BoolTensor", bool)


from ember import _pickling, autograd  # noqa: E402,F401 (need the names above)
from ember.autograd import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: E402
from ember import cuda, nn, optim, utils  # noqa: E402
from ember.serialization import load, save  # noqa: E402
from ember._C.nn import relu, sigmoid, tanh  # noqa: E402
from ember._C import broadcast_tensors, einsum, full_like, randint, randperm  # noqa: E402
from ember._functions import FUNCTIONS as _FUNCTIONS  # noqa: E402

globals().update(_FUNCTIONS)

del _builtins
