"""ember.optim from Python: 10-step trajectories equal torch's (1e-6) for each optimizer, param groups,
param_groups[g]["lr"] writes reaching the C++ step, LR schedulers' lrs as torch's, state_dict round trips."""
import numpy as np
import pytest
import torch

import ember
from ember import optim as eoptim

rng = np.random.default_rng(1)
W0, B0 = rng.standard_normal((3, 4)), rng.standard_normal(3)
X = rng.standard_normal((5, 4))


def trajectory(lib, make, steps=10, hook=None):
    w = lib.tensor(W0, requires_grad=True)
    b = lib.tensor(B0, requires_grad=True)
    x = lib.tensor(X)
    opt = make(lib, w, b)
    for step in range(steps):
        opt.zero_grad()
        ((x @ w.T + b).tanh() ** 2).sum().backward()
        opt.step()
        if hook:
            hook(opt, step)
    return w.detach().numpy(), b.detach().numpy()


OPTIMIZERS = {
    "sgd": lambda lib, w, b: lib.optim.SGD([w, b], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "sgd_dampening": lambda lib, w, b: lib.optim.SGD([w, b], lr=0.05, momentum=0.5, dampening=0.3),
    "adam": lambda lib, w, b: lib.optim.Adam([w, b], lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
    "adam_amsgrad": lambda lib, w, b: lib.optim.Adam([w, b], lr=0.01, amsgrad=True),
    "adamw": lambda lib, w, b: lib.optim.AdamW([w, b], lr=0.01),
    "rmsprop": lambda lib, w, b: lib.optim.RMSprop([w, b], lr=0.01, momentum=0.5, centered=True),
    "adagrad": lambda lib, w, b: lib.optim.Adagrad([w, b], lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
    "groups": lambda lib, w, b: lib.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.01, "momentum": 0.9}],
                                              lr=0.1),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_trajectory_matches_torch(name):
    for ours, theirs in zip(trajectory(ember, OPTIMIZERS[name]), trajectory(torch, OPTIMIZERS[name])):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_param_groups_lr_writes_reach_the_step():
    def halve(opt, step):
        if step == 4:
            opt.param_groups[0]["lr"] = 0.05
            opt.param_groups[0]["betas"] = (0.5, 0.9)
    make = lambda lib, w, b: lib.optim.Adam([w, b], lr=0.1)  # noqa: E731
    for ours, theirs in zip(trajectory(ember, make, hook=halve), trajectory(torch, make, hook=halve)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    opt = eoptim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1)
    assert dict(opt.param_groups[0], params=None) == {"params": None, "lr": 0.1, "momentum": 0.0, "dampening": 0.0,
                                                      "weight_decay": 0.0, "nesterov": False}


@pytest.mark.parametrize("make", [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
    lambda lib, opt: lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.5),
    lambda lib, opt: lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6, eta_min=0.01),
    lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=4),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=12),
])
def test_schedulers_match_torch(make):
    lrs = {}
    for lib in (ember, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        scheduler = make(lib, opt)
        lrs[lib.__name__] = []
        for _ in range(10):
            opt.step()
            scheduler.step()
            lrs[lib.__name__].append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"],
                                      scheduler.get_last_lr()[0]))
    np.testing.assert_allclose(lrs["ember"], lrs["torch"], rtol=1e-12)


def test_reduce_lr_on_plateau_matches_torch():
    lrs = {}
    for lib in (ember, torch):
        opt = lib.optim.Adam([lib.zeros(1, requires_grad=True)], lr=0.1)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
        lrs[lib.__name__] = []
        for metric in [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.9, 0.9]:
            scheduler.step(metric)
            lrs[lib.__name__].append(opt.param_groups[0]["lr"])
    assert lrs["ember"] == lrs["torch"]


def test_state_dict_round_trip_through_save(tmp_path):
    make = OPTIMIZERS["adam"]
    w = ember.tensor(W0, requires_grad=True)
    b = ember.tensor(B0, requires_grad=True)
    opt = make(ember, w, b)
    (w.sum() + b.sum()).backward()
    opt.step()
    ember.save(opt.state_dict(), tmp_path / "opt.safetensors")
    state = ember.load(tmp_path / "opt.safetensors")
    assert "state.0.exp_avg" in state and float(state["param_groups.0.lr"]) == 0.01
    other = make(ember, ember.tensor(W0, requires_grad=True), ember.tensor(B0, requires_grad=True))
    other.load_state_dict(state)
    assert list(other.state_dict()) == list(opt.state_dict())


def test_errors():
    p = ember.zeros(1, requires_grad=True)
    with pytest.raises(TypeError, match="SGD\\(\\): argument 'lr' must be float, not str"):
        eoptim.SGD([p], lr="0.1")
    with pytest.raises(TypeError, match="Adam\\(\\): argument 'betas' must be a tuple of 2 floats, not float"):
        eoptim.Adam([p], betas=0.9)
    with pytest.raises(TypeError, match="missing required argument 'lr'"):
        eoptim.SGD([p])
    with pytest.raises(ValueError, match="empty parameter list"):
        eoptim.Adam([])
    with pytest.raises(ValueError, match="invalid learning rate"):
        eoptim.Adam([p], lr=-1.0)
