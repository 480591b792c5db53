"""ember.nn.init against torch.nn.init: gains equal torch's, each initialiser's statistics follow torch's formula
for the tensor's fan-in/fan-out (large tensors, loose bounds), in place on Parameters without recording, and
the same ValueErrors."""
import math

import numpy as np
import pytest
import torch

import ember
from ember.nn import init

SHAPE = (256, 128, 3)  # fan_in 384, fan_out 768: a conv weight, so the receptive field counts


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose1d", None),
    ("conv_transpose2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)])
def test_calculate_gain_equals_torchs(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


def test_fan_in_and_fan_out_equal_torchs():
    for shape in [(3, 4), (8, 4, 3, 3), SHAPE]:
        assert init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def bounds_and_std(fill):
    """max |x| and std of an ember tensor of SHAPE filled by fill, and the same of torch's."""
    ours = fill(init, ember.empty(*SHAPE)).numpy()
    theirs = fill(torch.nn.init, torch.empty(*SHAPE)).numpy()
    return (np.abs(ours).max(), ours.std(), ours.mean()), (np.abs(theirs).max(), theirs.std(), theirs.mean())


FAN_IN, FAN_OUT = 128 * 3, 256 * 3


@pytest.mark.parametrize("fill, bound", [
    (lambda m, t: m.uniform_(t, -0.5, 0.5), 0.5),
    (lambda m, t: m.xavier_uniform_(t), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    (lambda m, t: m.xavier_uniform_(t, gain=2.0), 2 * math.sqrt(6 / (FAN_IN + FAN_OUT))),
    (lambda m, t: m.kaiming_uniform_(t), math.sqrt(6 / FAN_IN)),
    (lambda m, t: m.kaiming_uniform_(t, a=math.sqrt(5)), math.sqrt(6 / (1 + 5) / FAN_IN)),
    (lambda m, t: m.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"), math.sqrt(6 / FAN_OUT)),
    (lambda m, t: m.kaiming_uniform_(t, 0, "fan_in", "tanh"), 5 / 3 * math.sqrt(3 / FAN_IN)),
])
def test_uniform_initialisers_follow_torchs_bounds(fill, bound):
    (ours_max, ours_std, ours_mean), (theirs_max, theirs_std, _) = bounds_and_std(fill)
    assert bound * 0.99 < ours_max <= bound and bound * 0.99 < theirs_max <= bound
    assert ours_std == pytest.approx(bound / math.sqrt(3), rel=0.02) == theirs_std
    assert abs(ours_mean) < 0.02 * bound


@pytest.mark.parametrize("fill, std", [
    (lambda m, t: m.normal_(t, 0.0, 0.3), 0.3),
    (lambda m, t: m.xavier_normal_(t, gain=0.5), 0.5 * math.sqrt(2 / (FAN_IN + FAN_OUT))),
    (lambda m, t: m.kaiming_normal_(t), math.sqrt(2 / FAN_IN)),
    (lambda m, t: m.kaiming_normal_(t, a=0.1, mode="fan_out"), math.sqrt(2 / (1 + 0.01) / FAN_OUT)),
    (lambda m, t: m.kaiming_normal_(t, mode="FAN_OUT", nonlinearity="selu"), 0.75 / math.sqrt(FAN_OUT)),
])
def test_normal_initialisers_follow_torchs_std(fill, std):
    (_, ours_std, ours_mean), (_, theirs_std, _) = bounds_and_std(fill)
    assert ours_std == pytest.approx(std, rel=0.02) == theirs_std
    assert abs(ours_mean) < 0.02 * std


def test_normal_mean_and_constants():
    t = init.normal_(ember.empty(1000, 100), mean=2.0, std=0.5).numpy()
    assert t.mean() == pytest.approx(2.0, abs=0.01) and t.std() == pytest.approx(0.5, rel=0.02)
    assert init.constant_(ember.empty(2, 3), 1.5).tolist() == torch.nn.init.constant_(torch.empty(2, 3), 1.5).tolist()
    assert init.zeros_(ember.ones(4)).tolist() == [0.0] * 4
    assert init.ones_(ember.zeros(2, 2, dtype=ember.float64)).tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 2), (5, 5)])
def test_orthogonal_gives_orthonormal_rows_or_columns_times_gain(shape):
    q = init.orthogonal_(ember.empty(*shape, dtype=ember.float64), gain=2.0).numpy().reshape(shape[0], -1)
    rows, cols = q.shape
    gram = q.T @ q if rows >= cols else q @ q.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-10)


@pytest.mark.parametrize("fill", [
    lambda t: init.uniform_(t), lambda t: init.normal_(t), lambda t: init.constant_(t, 0.5), init.zeros_,
    init.ones_, init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_,
    init.orthogonal_])
def test_fills_a_parameter_in_place_without_recording(fill):
    weight = ember.nn.Linear(5, 3).weight
    storage = weight.data_ptr()
    assert fill(weight) is weight
    assert weight.data_ptr() == storage and weight.requires_grad and weight.is_leaf and weight.grad_fn is None
    assert isinstance(weight, ember.nn.Parameter)


def test_errors_as_torchs():
    for lib in (init, torch.nn.init):
        with pytest.raises(ValueError, match="nonlinearity"):
            lib.calculate_gain("softsign")
        with pytest.raises(ValueError, match="negative_slope"):
            lib.calculate_gain("leaky_relu", "0.1")
        with pytest.raises(ValueError, match="negative_slope"):
            lib.calculate_gain("leaky_relu", True)
        with pytest.raises(ValueError, match=r"Mode fan_avg not supported, please use one of \['fan_in', 'fan_out'\]"):
            lib.kaiming_uniform_(lib_empty(lib, 3, 4), mode="fan_avg")
        with pytest.raises(ValueError, match="Mode fan_avg not supported"):
            lib.kaiming_normal_(lib_empty(lib, 3, 4), mode="fan_avg")
        with pytest.raises(ValueError, match="nonlinearity"):
            lib.kaiming_normal_(lib_empty(lib, 3, 4), nonlinearity="swish")
        for fill in (lib.xavier_uniform_, lib.xavier_normal_, lib.kaiming_uniform_, lib.kaiming_normal_):
            with pytest.raises(ValueError, match="(?i)fan in and fan out can not be computed"):
                fill(lib_empty(lib, 5))
        with pytest.raises(ValueError, match="(?i)only tensors with 2 or more dimensions are supported"):
            lib.orthogonal_(lib_empty(lib, 5))
    with pytest.raises(TypeError, match="argument 'tensor' must be Tensor, not list"):
        init.zeros_([1.0, 2.0])


def lib_empty(lib, *shape):
    return (ember if lib is init else torch).empty(*shape)
