"""ember.nn from Python: layers with weights copied from torch's give torch's outputs and gradients;
subclassing, mixing Python and C++ modules, state_dict keys and errors as torch's."""
import collections

import numpy as np
import pytest
import torch

import ember
from ember import nn as enn

from conftest import assert_same


def to_ember(t):
    return ember.from_numpy(t.detach().numpy().copy())  # ember.tensor(0-d array) gives shape [1]: a bug of numpy.cpp


def copy_weights(ember_module, torch_module):
    """Loads torch_module's state_dict into ember_module (keys must match: that is half the check)."""
    ember_module.load_state_dict({k: to_ember(v) for k, v in torch_module.state_dict().items()})


def check_parity(ember_module, torch_module, *inputs, pick=lambda out: out, rtol=1e-5, atol=1e-5):
    copy_weights(ember_module, torch_module)
    t_inputs = [torch.tensor(x, requires_grad=x.dtype == np.float32) for x in inputs]
    e_inputs = [ember.tensor(x, requires_grad=x.dtype == np.float32) for x in inputs]
    t_out, e_out = pick(torch_module(*t_inputs)), pick(ember_module(*e_inputs))
    assert_same(e_out, t_out, rtol=rtol, atol=atol)
    t_out.sum().backward()
    e_out.sum().backward()
    for (name, e_param), (t_name, t_param) in zip(ember_module.named_parameters(), torch_module.named_parameters()):
        assert name == t_name
        assert_same(e_param.grad, t_param.grad, rtol=rtol, atol=atol)
    for e_x, t_x in zip(e_inputs, t_inputs):
        if t_x.grad is not None:
            assert_same(e_x.grad, t_x.grad, rtol=rtol, atol=atol)


rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def test_linear_parity():
    check_parity(enn.Linear(5, 3), torch.nn.Linear(5, 3), randn(4, 5))


def test_conv2d_parity():
    check_parity(enn.Conv2d(3, 4, 3, stride=2, padding=1), torch.nn.Conv2d(3, 4, 3, stride=2, padding=1),
                 randn(2, 3, 7, 7))


def test_batchnorm2d_parity_and_running_stats():
    e, t = enn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    check_parity(e, t, randn(4, 3, 5, 5))
    for name, value in t.state_dict().items():
        assert_same(e.state_dict()[name], value)
    e.eval(), t.eval()
    x = randn(2, 3, 5, 5)
    assert_same(e(ember.tensor(x)), t(torch.tensor(x)))


def test_lstm_parity():
    check_parity(enn.LSTM(4, 6, num_layers=2, batch_first=True), torch.nn.LSTM(4, 6, num_layers=2, batch_first=True),
                 randn(3, 5, 4), pick=lambda out: out[0])
    e, t = enn.LSTM(4, 6), torch.nn.LSTM(4, 6)
    copy_weights(e, t)
    x, h, c = randn(5, 2, 4), randn(1, 2, 6), randn(1, 2, 6)
    e_out, (e_h, e_c) = e(ember.tensor(x), (ember.tensor(h), ember.tensor(c)))
    t_out, (t_h, t_c) = t(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))
    for a, b in ((e_out, t_out), (e_h, t_h), (e_c, t_c)):
        assert_same(a, b, rtol=1e-5, atol=1e-5)


def test_gru_and_rnn_parity():
    check_parity(enn.GRU(4, 5), torch.nn.GRU(4, 5), randn(3, 2, 4), pick=lambda out: out[0])
    check_parity(enn.RNN(4, 5, nonlinearity="relu"), torch.nn.RNN(4, 5, nonlinearity="relu"), randn(3, 2, 4),
                 pick=lambda out: out[1])


def test_multihead_attention_parity():
    e, t = enn.MultiheadAttention(8, 2), torch.nn.MultiheadAttention(8, 2)
    assert list(e.state_dict()) == list(t.state_dict())
    q, k, v = randn(3, 2, 8), randn(4, 2, 8), randn(4, 2, 8)
    check_parity(e, t, q, k, v, pick=lambda out: out[0])
    copy_weights(e, t)
    _, e_w = e(ember.tensor(q), ember.tensor(k), ember.tensor(v))
    _, t_w = t(torch.tensor(q), torch.tensor(k), torch.tensor(v))
    assert_same(e_w, t_w, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda nn: nn.Bilinear(3, 4, 2),
    lambda nn: nn.Conv1d(2, 3, 3, padding="same"),
    lambda nn: nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1),
    lambda nn: nn.LayerNorm([4, 5]),
    lambda nn: nn.GroupNorm(2, 4),
    lambda nn: nn.BatchNorm1d(4),
    lambda nn: nn.Embedding(10, 3, padding_idx=0),
])
def test_more_layer_parity(make):
    e, t = make(enn), make(torch.nn)
    assert repr(e) == repr(t)
    inputs = {"Bilinear": (randn(2, 3), randn(2, 4)), "Conv1d": (randn(2, 2, 6),),
              "ConvTranspose2d": (randn(1, 2, 4, 4),), "LayerNorm": (randn(3, 4, 5),),
              "GroupNorm": (randn(2, 4, 3),), "BatchNorm1d": (randn(5, 4),),
              "Embedding": (np.array([[0, 3], [9, 3]], dtype=np.int64),)}[type(e).__name__]
    check_parity(e, t, *inputs)


def test_activations_and_shape_modules_match_torch():
    x = randn(2, 3, 4)
    for name, args in [("ReLU", ()), ("GELU", ("tanh",)), ("LeakyReLU", (0.2,)), ("ELU", ()), ("Softplus", (2,)),
                       ("Sigmoid", ()), ("Tanh", ()), ("SiLU", ()), ("Softmax", (1,)), ("LogSoftmax", (-1,)),
                       ("Flatten", ()), ("Unflatten", (2, (2, 2))), ("Identity", ())]:
        e, t = getattr(enn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(e) == repr(t)
        assert_same(e(ember.tensor(x)), t(torch.tensor(x)), rtol=1e-5, atol=1e-6)
    for e, t in [(enn.MaxPool2d(2), torch.nn.MaxPool2d(2)), (enn.AvgPool2d(3, stride=1, padding=1),
                 torch.nn.AvgPool2d(3, stride=1, padding=1)), (enn.AdaptiveAvgPool2d((2, 3)),
                 torch.nn.AdaptiveAvgPool2d((2, 3))), (enn.Dropout(0.3), torch.nn.Dropout(0.3))]:
        assert repr(e) == repr(t)
        e.eval(), t.eval()
        y = randn(1, 2, 6, 6)
        assert_same(e(ember.tensor(y)), t(torch.tensor(y)), rtol=1e-5, atol=1e-6)


def make_net(nn, lib):
    """A Python module holding C++ layers, a Python submodule in a mixed Sequential, a Parameter and a buffer."""

    class Scale(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.weight = nn.Parameter(lib.ones(channels, 1, 1))

        def forward(self, x):
            return x * self.weight

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), Scale(2), nn.Flatten())
            self.head = nn.Linear(2 * 4 * 4, 3)
            self.scale = nn.Parameter(lib.ones(1))
            self.register_buffer("offset", lib.zeros(3))

        def forward(self, x):
            return self.head(self.features(x)) * self.scale + self.offset

    return Net()


def test_subclassing_and_mixing_match_torch():
    e, t = make_net(enn, ember), make_net(torch.nn, torch)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert repr(e) == repr(t)
    assert isinstance(e.state_dict(), collections.OrderedDict)
    assert all(isinstance(p, enn.Parameter) for p in e.parameters())
    check_parity(e, t, randn(2, 1, 6, 6), rtol=1e-5, atol=1e-5)


def test_cpp_parameters_are_the_layers_tensors():
    lin = enn.Linear(2, 2)
    with ember.no_grad():
        lin.weight.fill_(1.0)
        lin.bias.zero_()
    assert lin(ember.ones(1, 2)).tolist() == [[2.0, 2.0]]
    lin.weight = enn.Parameter(ember.full((2, 2), 3.0))
    assert lin(ember.ones(1, 2)).tolist() == [[6.0, 6.0]]
    assert enn.Linear(2, 2, bias=False).bias is None


def test_module_api():
    model = enn.Sequential(enn.Linear(2, 3), enn.Dropout(), enn.ModuleList([enn.Linear(3, 3)]),
                           enn.ModuleDict({"a": enn.BatchNorm1d(3)}))
    assert not model.eval().training and not model[1].training and not model[3]["a"].training
    assert model.train().training and model[1].training
    assert [type(m).__name__ for m in model.children()] == ["Linear", "Dropout", "ModuleList", "ModuleDict"]
    assert len(list(model.modules())) == 7
    names = []
    model.apply(lambda m: names.append(type(m).__name__))
    assert names == ["Linear", "Dropout", "Linear", "ModuleList", "BatchNorm1d", "ModuleDict", "Sequential"]
    model[3]["a"](model[2][0](model[0](ember.ones(4, 2)))).sum().backward()
    assert model[0].weight.grad is not None
    model.zero_grad()
    assert model[0].weight.grad is None
    model.add_module("extra", enn.Identity())
    model.to(ember.float64)
    assert all(p.dtype == ember.float64 for p in model.parameters())
    assert model[3]["a"].num_batches_tracked.dtype == ember.int64
    assert model[0](ember.ones(1, 2, dtype=ember.float64)).dtype == ember.float64


def test_load_state_dict_errors_as_torch():
    e, t = enn.Linear(2, 3), torch.nn.Linear(2, 3)
    state = {"weight": ember.zeros(3, 2), "extra": ember.zeros(1)}
    with pytest.raises(RuntimeError) as e_err:
        e.load_state_dict(state)
    with pytest.raises(RuntimeError) as t_err:
        t.load_state_dict({"weight": torch.zeros(3, 2), "extra": torch.zeros(1)})
    assert str(e_err.value) == str(t_err.value)
    with pytest.raises(RuntimeError) as e_err:
        e.load_state_dict({"weight": ember.zeros(2, 2), "bias": ember.zeros(3)})
    with pytest.raises(RuntimeError) as t_err:
        t.load_state_dict({"weight": torch.zeros(2, 2), "bias": torch.zeros(3)})
    assert str(e_err.value) == str(t_err.value).replace("torch.Size", "ember.Size")
    result = e.load_state_dict({"weight": ember.ones(3, 2)}, strict=False)
    assert result.missing_keys == ["bias"] and e.weight.tolist() == [[1.0, 1.0]] * 3


def test_bad_argument_types_name_the_parameter():
    with pytest.raises(TypeError, match="argument 'out_features' must be int, not str"):
        enn.Linear(3, "4")
    with pytest.raises(TypeError, match="argument 'kernel_size' must be int or tuple of ints, not float"):
        enn.Conv2d(1, 1, 2.5)
    with pytest.raises(TypeError, match="cannot assign 'int' as parameter 'weight'"):
        enn.Linear(1, 1).weight = 3
    with pytest.raises(ValueError, match="padding_mode='reflect'"):
        enn.Conv2d(1, 1, 3, padding_mode="reflect")


def test_functional_matches_torch():
    x, y = randn(4, 5), rng.integers(0, 5, size=4)
    e_x, t_x = ember.tensor(x), torch.tensor(x)
    F, TF = enn.functional, torch.nn.functional
    assert_same(F.cross_entropy(e_x, ember.tensor(y), reduction="sum", label_smoothing=0.1),
                TF.cross_entropy(t_x, torch.tensor(y), reduction="sum", label_smoothing=0.1), rtol=1e-5)
    assert_same(F.mse_loss(e_x, e_x * 0.5, reduction="none"), TF.mse_loss(t_x, t_x * 0.5, reduction="none"))
    assert_same(F.gelu(e_x, approximate="tanh"), TF.gelu(t_x, approximate="tanh"), rtol=1e-5)
    assert_same(F.softmax(e_x, dim=1), TF.softmax(t_x, dim=1), rtol=1e-5)
    assert_same(F.layer_norm(e_x, [5]), TF.layer_norm(t_x, [5]), rtol=1e-5, atol=1e-5)
    img = randn(1, 2, 6, 6)
    assert_same(F.max_pool2d(ember.tensor(img), 2, stride=(2, 1)), TF.max_pool2d(torch.tensor(img), 2, stride=(2, 1)))
    with pytest.raises(ValueError, match="nope is not a valid value for reduction"):
        F.l1_loss(e_x, e_x, reduction="nope")
