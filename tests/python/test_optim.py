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
    groups = {lib: dict(lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1).param_groups[0], params=None)
              for lib in (ember, torch)}
    assert groups[ember] == groups[torch]  # maximize, foreach, differentiable too


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


STATE_DICT_CASES = dict(OPTIMIZERS, **{
    "sgd_no_momentum": lambda lib, w, b: lib.optim.SGD([w, b], lr=0.1),
    "rmsprop_plain": lambda lib, w, b: lib.optim.RMSprop([w, b], lr=0.01),
    "adagrad_unstepped": lambda lib, w, b: lib.optim.Adagrad([w, b], lr=0.1),
    "adam_one_param_stepped": lambda lib, w, b: lib.optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.5}]),
})


def stepped(lib, name, steps=3):
    """The optimizer of STATE_DICT_CASES[name] after `steps` steps on W0, B0 (the last case: b never gets a
    gradient, adagrad_unstepped takes no step), and its parameters."""
    w, b = lib.tensor(W0, requires_grad=True), lib.tensor(B0, requires_grad=True)
    opt = STATE_DICT_CASES[name](lib, w, b)
    for _ in range(0 if name == "adagrad_unstepped" else steps):
        opt.zero_grad()
        loss = (lib.tensor(X) @ w.T).tanh().sum()
        (loss if name == "adam_one_param_stepped" else loss + (b ** 2).sum()).backward()
        opt.step()
    return opt, (w, b)


def as_torch(value):
    return torch.from_numpy(value.numpy()) if isinstance(value, ember.Tensor) else value


@pytest.mark.parametrize("name", STATE_DICT_CASES)
def test_state_dict_is_nested_as_torchs(name):
    ours, theirs = stepped(ember, name)[0].state_dict(), stepped(torch, name)[0].state_dict()
    assert ours.keys() == theirs.keys() == {"state", "param_groups"}
    assert ours["state"].keys() == theirs["state"].keys()
    for i, entry in theirs["state"].items():
        assert ours["state"][i].keys() == entry.keys()
        for key, value in entry.items():
            mine = ours["state"][i][key]
            assert type(as_torch(mine)) is type(value)  # step: a tensor or an int, as torch keeps it
            if isinstance(value, torch.Tensor):
                torch.testing.assert_close(as_torch(mine), value, rtol=1e-6, atol=1e-7)
            else:
                assert mine == value
    assert len(ours["param_groups"]) == len(theirs["param_groups"])
    for mine, group in zip(ours["param_groups"], theirs["param_groups"]):
        assert mine == group  # the options, torch's extra flags and "params" (the indices)
        assert {key: type(value) for key, value in mine.items() if not isinstance(value, (int, float))} == \
            {key: type(value) for key, value in group.items() if not isinstance(value, (int, float))}


def continue_after_load(lib, name, state_dict, steps=3):
    """A fresh optimizer on the parameters of `stepped(lib, name)`, given state_dict, then `steps` more steps."""
    _, (w, b) = stepped(lib, name)
    opt = STATE_DICT_CASES[name](lib, w, b)
    opt.load_state_dict(state_dict)
    for _ in range(steps):
        opt.zero_grad()
        ((lib.tensor(X) @ w.T).tanh().sum() + (b ** 2).sum()).backward()
        opt.step()
    return w.detach().numpy(), b.detach().numpy()


@pytest.mark.parametrize("name", ["sgd", "adam", "adam_amsgrad", "adamw", "rmsprop", "adagrad", "groups"])
def test_loaded_state_dict_continues_the_trajectory(name, tmp_path):
    expected = continue_after_load(torch, name, stepped(torch, name)[0].state_dict())
    opt = stepped(ember, name)[0]
    state = opt.state_dict()
    ember.save(state, tmp_path / "opt.safetensors")  # written flat, as the C++ optimizer's
    torch_state = stepped(torch, name)[0].state_dict()  # torch's own, its tensors as ember's
    torch_state["state"] = {i: {k: ember.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v
                                for k, v in entry.items()} for i, entry in torch_state["state"].items()}
    for loaded in (state, ember.load(tmp_path / "opt.safetensors"), torch_state):
        for ours, theirs in zip(continue_after_load(ember, name, loaded), expected):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    fresh = STATE_DICT_CASES[name](ember, *stepped(ember, name)[1])
    fresh.load_state_dict(state)
    reloaded = fresh.state_dict()
    assert reloaded["param_groups"] == state["param_groups"]
    # An entry of Nones only (SGD without momentum) is not kept by the flat C++ state; the next step remakes it.
    torch.testing.assert_close({i: {k: as_torch(v) for k, v in e.items()} for i, e in reloaded["state"].items()},
                               {i: {k: as_torch(v) for k, v in e.items()} for i, e in state["state"].items()
                                if any(v is not None for v in e.values())})


def test_saved_optimizer_file_is_flat():
    opt = stepped(ember, "adam")[0]
    flat = ember.optim.optimizer.flatten_state_dict(opt.state_dict())
    assert {key for key, _ in flat} == {key for key, _ in opt._cpp.state_dict()}


def test_load_state_dict_errors():
    opt, params = stepped(ember, "adam")
    state = opt.state_dict()
    state["param_groups"][0]["maximize"] = True
    with pytest.raises(ValueError, match="ember's Adam implements only maximize=False, got 1.0"):
        eoptim.Adam(params).load_state_dict(state)
    with pytest.raises(ValueError, match="implements only foreach=None, got True"):
        opt.param_groups[0]["foreach"] = True
    opt.param_groups[0]["maximize"] = False  # torch's value: accepted
    state = opt.state_dict()
    for lib, optimizer in ((ember, opt), (torch, stepped(torch, "adam")[0])):
        with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
            lib.optim.Adam([lib.zeros(1, requires_grad=True)]).load_state_dict(optimizer.state_dict())


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
