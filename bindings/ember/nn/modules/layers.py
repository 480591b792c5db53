"""The C++ layers of nn/nn.h as ember.nn modules, with torch's constructor signatures.

Design: each class here is a thin Python Module around one C++ layer of
ember._C.nn (self._cpp). Its parameters and buffers are the C++ layer's own
tensors (Parameter._of wraps the same handle, not a copy), so optimizers,
state_dict()/load_state_dict() and the C++ forward all see one tensor; its
children are wrappers of the C++ layer's children (MultiheadAttention's
out_proj). forward calls the C++ forward (the GIL released), extra_repr is the
C++ one, train()/to() go to the C++ layer too. Everything else (the tree,
state dicts, printing) is ember.nn.Module's, so a Python Module can hold C++
layers and a Sequential can mix both. No math lives here: a wrapper converts
torch's arguments (an int or a tuple for sizes) and calls the C++ layer.
"""
import functools
import inspect

from ember._C import nn as _nn
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

_WRAPPERS = {}  # C++ class name -> wrapper class


def _sizes(value):
    """An int-or-tuple size argument as the list the C++ constructors take."""
    return [value] if isinstance(value, int) else list(value)


def _type_ok(value, expected):
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is bool:
        return isinstance(value, bool)
    if expected == "size":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value))
    return isinstance(value, expected)


def _checked(init):
    """Checks the annotated arguments of a wrapper's __init__: a TypeError names the parameter, as torch's."""
    signature = inspect.signature(init)

    @functools.wraps(init)
    def checked_init(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        for name, value in list(bound.arguments.items())[1:]:
            parameter = signature.parameters[name]
            expected = parameter.annotation
            if expected is inspect.Parameter.empty or (value is None and parameter.default is None):
                continue
            if not _type_ok(value, expected):
                expected_name = "int or tuple of ints" if expected == "size" else getattr(expected, "__name__", expected)
                raise TypeError(f"{type(self).__name__}.__init__(): argument '{name}' must be {expected_name}, "
                                f"not {type(value).__name__}")
        init(self, *args, **kwargs)

    return checked_init


def _only_default(owner, **options):
    """torch options ember does not implement: only their defaults are accepted (never silently ignored)."""
    defaults = {"padding_mode": "zeros", "max_norm": None, "scale_grad_by_freq": False, "sparse": False,
                "proj_size": 0}
    for name, value in options.items():
        if value != defaults[name]:
            raise ValueError(f"{owner}: ember does not implement {name}={value!r} (only {defaults[name]!r})")


def _wrap(cpp):
    """The wrapper of an existing C++ layer (a C++ layer's child)."""
    cls = _WRAPPERS[type(cpp).__name__]
    module = cls.__new__(cls)
    Module.__init__(module)
    module._adopt(cpp)
    return module


class CppModule(Module):
    """The base of the wrappers: holds the C++ layer and exposes its tensors and children."""
    _optional_parameters = ()  # torch registers these as None when the layer has none (bias=False)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _WRAPPERS.setdefault(cls.__name__, cls)

    def _adopt(self, cpp):
        object.__setattr__(self, "_cpp", cpp)
        for name, tensor in cpp.named_parameters():
            self._parameters[name] = Parameter._of(tensor)
        for name in self._optional_parameters:
            self._parameters.setdefault(name, None)
        for name, tensor in cpp.named_buffers():
            self._buffers[name] = tensor
        for name, child in cpp.named_children():
            self._modules[name] = _wrap(child)
        self.training = cpp.is_training()

    def __setattr__(self, name, value):
        # The C++ forward keeps using its own tensor: a new Parameter's data goes into that tensor.
        own = self.__dict__.get("_parameters", {})
        if isinstance(value, Parameter) and own.get(name) is not None and "_cpp" in self.__dict__:
            own[name].data = value.data
            own[name].requires_grad_(value.requires_grad)
            return
        super().__setattr__(name, value)

    def forward(self, input):
        return self._cpp.forward(input)

    def extra_repr(self):
        return self._cpp.extra_repr()

    def train(self, mode=True):
        super().train(mode)
        self._cpp.train(mode)
        return self

    def _to(self, device, dtype):
        self._cpp.to(device, dtype)


class Linear(CppModule):
    _optional_parameters = ("bias",)

    @_checked
    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self._adopt(_nn.Linear(in_features, out_features, bias, dtype, device))


class NonDynamicallyQuantizableLinear(Linear):
    pass


class Bilinear(CppModule):
    _optional_parameters = ("bias",)

    @_checked
    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self._adopt(_nn.Bilinear(in1_features, in2_features, out_features, bias, dtype, device))

    def forward(self, input1, input2):
        return self._cpp.forward(input1, input2)


class _ConvNd(CppModule):
    _optional_parameters = ("bias",)

    def _remember(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups):
        dims = self._dims
        expand = lambda v: tuple(_sizes(v)) * (dims if isinstance(v, int) else 1)  # noqa: E731
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride, self.dilation = expand(kernel_size), expand(stride), expand(dilation)
        self.padding = padding if isinstance(padding, str) else expand(padding)


class _Conv(_ConvNd):
    @_checked
    def __init__(self, in_channels: int, out_channels: int, kernel_size: "size", stride: "size" = 1,
                 padding=0, dilation: "size" = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__()
        _only_default(type(self).__name__, padding_mode=padding_mode)
        self._remember(in_channels, out_channels, kernel_size, stride, padding, dilation, groups)
        cpp_padding = padding if isinstance(padding, str) else _sizes(padding)
        self._adopt(getattr(_nn, type(self)._cpp_name)(in_channels, out_channels, _sizes(kernel_size), _sizes(stride),
                                                      cpp_padding, _sizes(dilation), groups, bias, dtype, device))


class Conv1d(_Conv):
    _cpp_name, _dims = "Conv1d", 1


class Conv2d(_Conv):
    _cpp_name, _dims = "Conv2d", 2


class _ConvTranspose(_ConvNd):
    @_checked
    def __init__(self, in_channels: int, out_channels: int, kernel_size: "size", stride: "size" = 1,
                 padding: "size" = 0, output_padding: "size" = 0, groups: int = 1, bias: bool = True,
                 dilation: "size" = 1, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        _only_default(type(self).__name__, padding_mode=padding_mode)
        self._remember(in_channels, out_channels, kernel_size, stride, padding, dilation, groups)
        self._adopt(getattr(_nn, type(self)._cpp_name)(in_channels, out_channels, _sizes(kernel_size), _sizes(stride),
                                                      _sizes(padding), _sizes(output_padding), groups, bias,
                                                      _sizes(dilation), dtype, device))


class ConvTranspose1d(_ConvTranspose):
    _cpp_name, _dims = "ConvTranspose1d", 1


class ConvTranspose2d(_ConvTranspose):
    _cpp_name, _dims = "ConvTranspose2d", 2


class MaxPool2d(CppModule):
    @_checked
    def __init__(self, kernel_size: "size", stride: "size" = None, padding: "size" = 0, dilation: "size" = 1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode
        self._adopt(_nn.MaxPool2d(_sizes(kernel_size), None if stride is None else _sizes(stride), _sizes(padding),
                                  _sizes(dilation), ceil_mode))

    def forward(self, input):
        return self._cpp.forward_with_indices(input) if self.return_indices else self._cpp.forward(input)


class AvgPool2d(CppModule):
    @_checked
    def __init__(self, kernel_size: "size", stride: "size" = None, padding: "size" = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int = None):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding
        self._adopt(_nn.AvgPool2d(_sizes(kernel_size), None if stride is None else _sizes(stride), _sizes(padding),
                                  ceil_mode, count_include_pad, divisor_override))


class AdaptiveAvgPool2d(CppModule):
    @_checked
    def __init__(self, output_size: "size"):
        super().__init__()
        self.output_size = output_size
        self._adopt(_nn.AdaptiveAvgPool2d(_sizes(output_size)))


class _BatchNorm(CppModule):
    _optional_parameters = ("weight", "bias")

    @_checked
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self._adopt(getattr(_nn, type(self).__name__)(num_features, eps, momentum, affine, track_running_stats,
                                                      dtype, device))
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            self._buffers.setdefault(name, None)


class BatchNorm1d(_BatchNorm):
    pass


class BatchNorm2d(_BatchNorm):
    pass


class LayerNorm(CppModule):
    _optional_parameters = ("weight", "bias")

    @_checked
    def __init__(self, normalized_shape: "size", eps: float = 1e-5, elementwise_affine: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape, self.eps = tuple(_sizes(normalized_shape)), eps
        self.elementwise_affine = elementwise_affine
        self._adopt(_nn.LayerNorm(_sizes(normalized_shape), eps, elementwise_affine))
        if device is not None or dtype is not None:  # the C++ LayerNorm takes neither: converted after
            self.to(device=device, dtype=dtype)


class GroupNorm(CppModule):
    _optional_parameters = ("weight", "bias")

    @_checked
    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self._adopt(_nn.GroupNorm(num_groups, num_channels, eps, affine, dtype, device))


class Dropout(CppModule):
    @_checked
    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        self.p, self.inplace = p, inplace
        self._adopt(_nn.Dropout(p))


class Embedding(CppModule):
    @_checked
    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int = None, max_norm: float = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 device=None, dtype=None):
        super().__init__()
        _only_default("Embedding", max_norm=max_norm, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        self._adopt(_nn.Embedding(num_embeddings, embedding_dim, padding_idx, dtype, device))
        if _weight is not None:
            self.weight = Parameter(_weight)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        return _wrap(_nn.Embedding.from_pretrained(embeddings, freeze, padding_idx))


class Flatten(CppModule):
    @_checked
    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim
        self._adopt(_nn.Flatten(start_dim, end_dim))


class Unflatten(CppModule):
    @_checked
    def __init__(self, dim: int, unflattened_size: "size"):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(_sizes(unflattened_size))
        self._adopt(_nn.Unflatten(dim, _sizes(unflattened_size)))


class Identity(CppModule):
    def __init__(self, *args, **kwargs):  # torch's Identity takes and ignores any argument
        super().__init__()
        self._adopt(_nn.Identity())


class _RNNBase(CppModule):
    _nonlinearity = "tanh"

    def _build(self, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype):
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, dropout, bidirectional
        self._adopt(getattr(_nn, type(self).__name__)(input_size, hidden_size, num_layers, self._nonlinearity, bias,
                                                      batch_first, dropout, bidirectional, dtype, device))

    def forward(self, input, hx=None):
        return _nn.rnn_forward(self._cpp, input, hx)


class RNN(_RNNBase):
    @_checked
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None):
        super().__init__()
        self.nonlinearity = self._nonlinearity = nonlinearity
        self._build(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype)


class LSTM(_RNNBase):
    @_checked
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None):
        super().__init__()
        _only_default("LSTM", proj_size=proj_size)
        self._build(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype)


class GRU(_RNNBase):
    @_checked
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None):
        super().__init__()
        self._build(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype)


class MultiheadAttention(CppModule):
    @_checked
    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int = None, vdim: int = None,
                 batch_first: bool = False, device=None, dtype=None):
        super().__init__()
        self.embed_dim, self.num_heads, self.dropout, self.batch_first = embed_dim, num_heads, dropout, batch_first
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        self.head_dim = embed_dim // num_heads
        self._adopt(_nn.MultiheadAttention(embed_dim, num_heads, dropout, bias, add_bias_kv, add_zero_attn, kdim, vdim,
                                           batch_first, dtype, device))

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        return self._cpp.forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights)


def _activation(name, make_cpp, doc):
    """An activation module: its constructor arguments go to the C++ one."""
    signature = inspect.signature(make_cpp)

    def __init__(self, *args, **kwargs):
        CppModule.__init__(self)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        for arg, value in bound.arguments.items():
            object.__setattr__(self, arg, value)
        self._adopt(make_cpp(*args, **kwargs))

    return type(name, (CppModule,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


ReLU = _activation("ReLU", lambda inplace=False: _nn.ReLU(), "max(0, x)")
Sigmoid = _activation("Sigmoid", lambda: _nn.Sigmoid(), "1 / (1 + exp(-x))")
Tanh = _activation("Tanh", lambda: _nn.Tanh(), "tanh(x)")
SiLU = _activation("SiLU", lambda inplace=False: _nn.SiLU(), "x * sigmoid(x)")
GELU = _activation("GELU", lambda approximate="none": _nn.GELU(approximate), "x * Phi(x), or its tanh approximation")
LeakyReLU = _activation("LeakyReLU", lambda negative_slope=0.01, inplace=False: _nn.LeakyReLU(negative_slope),
                        "max(0, x) + negative_slope * min(0, x)")
ELU = _activation("ELU", lambda alpha=1.0, inplace=False: _nn.ELU(alpha), "x, or alpha * (exp(x) - 1) below 0")
Softplus = _activation("Softplus", lambda beta=1.0, threshold=20.0: _nn.Softplus(beta, threshold),
                       "log(1 + exp(beta * x)) / beta")
Softmax = _activation("Softmax", lambda dim: _nn.Softmax(dim), "softmax along dim")
LogSoftmax = _activation("LogSoftmax", lambda dim: _nn.LogSoftmax(dim), "log_softmax along dim")
