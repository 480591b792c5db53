#!/usr/bin/python3
# Writes tests/optim/golden.h: PyTorch 1.13's trajectories for the optimizer and
# LR scheduler tests (tests/optim/test_*.cpp replay the same problems with ember).
# Rerun from the repository root after changing a case, and commit both files:
#   /usr/bin/python3 tests/optim/make_golden.py
# Everything runs in float64 on the CPU; the test checks each step to 1e-6 relative.
import math
import os

import torch

torch.set_default_dtype(torch.float64)


# ---- the problem: a small tanh regression over four parameters ----------------
# W [3, 4], b [3], s [2, 2] enter the loss; `unused` [2] does not, so it never
# has a gradient and every optimizer must leave it (and its state) alone.
def values(n, seed):
    return [round(math.sin(seed + 1.37 * i) * 0.8, 6) for i in range(n)]


W0, B0, S0, UNUSED0 = values(12, 1), values(3, 2), values(4, 3), values(2, 4)
X, Y = values(20, 5), values(15, 6)


def make_params():
    return [torch.tensor(W0).reshape(3, 4).requires_grad_(), torch.tensor(B0).requires_grad_(),
            torch.tensor(S0).reshape(2, 2).requires_grad_(), torch.tensor(UNUSED0).requires_grad_()]


def loss_of(params):
    w, b, s, _ = params
    x, y = torch.tensor(X).reshape(5, 4), torch.tensor(Y).reshape(5, 3)
    fit = ((torch.tanh(x @ w.t() + b) - y) ** 2).mean()
    return fit + 0.05 * (s ** 4).sum() + 0.1 * (s * w[:2, :2]).sum()


def flat(params):
    return [v for p in params for v in p.detach().reshape(-1).tolist()]


# ---- optimizer cases: name -> (class, constructor arguments given params) -----
OPTIMIZERS = {
    "sgd": (torch.optim.SGD, lambda p: ([*p], dict(lr=0.1))),
    "sgd_momentum": (torch.optim.SGD, lambda p: ([*p], dict(lr=0.05, momentum=0.9))),
    "sgd_dampening_weight_decay": (torch.optim.SGD,
                                   lambda p: ([*p], dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01))),
    "sgd_nesterov": (torch.optim.SGD, lambda p: ([*p], dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3))),
    "adam": (torch.optim.Adam, lambda p: ([*p], dict(lr=0.05))),
    "adam_amsgrad_weight_decay": (torch.optim.Adam,
                                  lambda p: ([*p], dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.02, amsgrad=True))),
    "adamw": (torch.optim.AdamW, lambda p: ([*p], dict(lr=0.05))),
    "adamw_amsgrad": (torch.optim.AdamW, lambda p: ([*p], dict(lr=0.05, weight_decay=0.1, amsgrad=True))),
    "rmsprop": (torch.optim.RMSprop, lambda p: ([*p], dict(lr=0.01))),
    "rmsprop_centered_momentum": (torch.optim.RMSprop,
                                  lambda p: ([*p], dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True,
                                                        weight_decay=0.01))),
    "adagrad": (torch.optim.Adagrad, lambda p: ([*p], dict(lr=0.1))),
    "adagrad_lr_decay": (torch.optim.Adagrad,
                         lambda p: ([*p], dict(lr=0.1, lr_decay=0.05, weight_decay=0.01,
                                               initial_accumulator_value=0.1))),
    # Two groups: the first overrides lr (and momentum, to its default's value),
    # the second takes the defaults.
    "sgd_two_groups": (torch.optim.SGD, lambda p: ([{"params": p[:2], "lr": 0.1}, {"params": p[2:]}],
                                                   dict(lr=0.01, momentum=0.9))),
    "adam_two_groups": (torch.optim.Adam, lambda p: ([{"params": p[:1], "lr": 0.02, "amsgrad": True},
                                                      {"params": p[1:]}], dict(lr=0.05))),
}
STEPS = 20


def optimizer_trajectory(name):
    cls, make_args = OPTIMIZERS[name]
    params = make_params()
    groups, kwargs = make_args(params)
    opt = cls(groups, **kwargs)
    steps = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()
        steps.append(flat(params))
    return steps


# ---- scheduler cases ------------------------------------------------------------
# Each runs on SGD(lr 0.1 and 0.05 in two groups, momentum 0.9) unless it says
# otherwise; we record get_last_lr() after construction and after each of 30
# steps, and for OneCycleLR the cycled momentum too.
def sgd_two_groups():
    p = make_params()
    return torch.optim.SGD([{"params": p[:2]}, {"params": p[2:], "lr": 0.05}], lr=0.1, momentum=0.9)


def adam_two_groups():
    p = make_params()
    return torch.optim.Adam([{"params": p[:2]}, {"params": p[2:], "lr": 0.05}], lr=0.1)


def with_initial_lr(opt, initial):  # a resumed optimizer, as after load_state_dict
    for group, lr in zip(opt.param_groups, initial):
        group["initial_lr"] = lr
    return opt


S = torch.optim.lr_scheduler
METRICS = [1.0 / (1 + 0.3 * t) + 0.05 * math.sin(1.7 * t) for t in range(30)]
METRICS = [round(m if t % 7 < 4 else METRICS[t - 1], 6) for t, m in enumerate(METRICS)]  # with plateaus
SCHEDULERS = {
    "step_lr": lambda o: [S.StepLR(o, step_size=4, gamma=0.5)],
    "multi_step_lr": lambda o: [S.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.3)],
    "exponential_lr": lambda o: [S.ExponentialLR(o, gamma=0.9)],
    "cosine_annealing_lr": lambda o: [S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)],
    "linear_lr": lambda o: [S.LinearLR(o, start_factor=0.25, total_iters=8)],
    "linear_lr_decay": lambda o: [S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=10)],
    "linear_then_exponential": lambda o: [S.LinearLR(o, start_factor=0.5, total_iters=4), S.ExponentialLR(o, gamma=0.95)],
    "one_cycle_lr": lambda o: [S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=30)],
    "step_lr_resumed": lambda o: [S.StepLR(with_initial_lr(o, [0.2, 0.1]), step_size=3, gamma=0.5, last_epoch=7)],
    "cosine_annealing_lr_resumed": lambda o: [S.CosineAnnealingLR(with_initial_lr(o, [0.2, 0.1]), T_max=10,
                                                                  last_epoch=4)],
    "reduce_lr_on_plateau": lambda o: [S.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.01, cooldown=1,
                                                           min_lr=[0.01, 0.02])],
    "reduce_lr_on_plateau_max_abs": lambda o: [S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=1,
                                                                   threshold=0.05, threshold_mode="abs", eps=1e-3)],
}
ADAM_SCHEDULERS = {
    "one_cycle_lr_linear_three_phase": lambda o: [S.OneCycleLR(o, max_lr=0.01, total_steps=30, pct_start=0.25,
                                                               anneal_strategy="linear", three_phase=True,
                                                               base_momentum=0.8, max_momentum=0.9)],
}
SCHEDULER_STEPS = 30


def momentum_of(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def scheduler_trajectory(name):
    adam = name in ADAM_SCHEDULERS
    opt = adam_two_groups() if adam else sgd_two_groups()
    schedulers = (ADAM_SCHEDULERS if adam else SCHEDULERS)[name](opt)
    lrs, momenta = [[g["lr"] for g in opt.param_groups]], [momentum_of(opt)]
    for t in range(SCHEDULER_STEPS):
        opt.step()  # no gradients: a no-op, but the order PyTorch expects
        for s in schedulers:
            s.step(METRICS[t]) if isinstance(s, S.ReduceLROnPlateau) else s.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        momenta.append(momentum_of(opt))
    return lrs, momenta


# ---- golden.h -------------------------------------------------------------------
def cpp_list(xs):
    return "{" + ", ".join(repr(float(x)) for x in xs) + "}"


def cpp_rows(rows, indent):
    pad = " " * indent
    return "{\n" + ",\n".join(pad + cpp_list(r) for r in rows) + "}"


def main():
    out = ["// GENERATED by tests/optim/make_golden.py with PyTorch " + torch.__version__ + ": do not edit.",
           "// Rerun from the repository root: /usr/bin/python3 tests/optim/make_golden.py",
           "#pragma once", "", "#include <vector>", "", "namespace golden {", "",
           "// The problem: initial parameters W [3, 4], b [3], s [2, 2], unused [2]; data X [5, 4], Y [5, 3].",
           f"inline const std::vector<double> W0 = {cpp_list(W0)};",
           f"inline const std::vector<double> B0 = {cpp_list(B0)};",
           f"inline const std::vector<double> S0 = {cpp_list(S0)};",
           f"inline const std::vector<double> UNUSED0 = {cpp_list(UNUSED0)};",
           f"inline const std::vector<double> X = {cpp_list(X)};",
           f"inline const std::vector<double> Y = {cpp_list(Y)};", "",
           "// steps[t]: W, b, s, unused flattened, after step t + 1.",
           "struct OptimizerCase {", "  const char* name;", "  std::vector<std::vector<double>> steps;", "};",
           "inline const std::vector<OptimizerCase> kOptimizerCases = {"]
    for name in OPTIMIZERS:
        out.append(f'    {{"{name}", {cpp_rows(optimizer_trajectory(name), 8)}}},')
    out += ["};", "",
            "// ReduceLROnPlateau's metric at each step.",
            f"inline const std::vector<double> kMetrics = {cpp_list(METRICS)};", "",
            "// lrs[t], momenta[t]: per group, after construction (t = 0) and after step t.",
            "struct SchedulerCase {", "  const char* name;", "  std::vector<std::vector<double>> lrs, momenta;", "};",
            "inline const std::vector<SchedulerCase> kSchedulerCases = {"]
    for name in [*SCHEDULERS, *ADAM_SCHEDULERS]:
        lrs, momenta = scheduler_trajectory(name)
        out.append(f'    {{"{name}", {cpp_rows(lrs, 8)}, {cpp_rows(momenta, 8)}}},')
    out += ["};", "", "}  // namespace golden", ""]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.h")
    with open(path, "w") as f:
        f.write("\n".join(out))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
