"""ember.optim.lr_scheduler: the C++ schedulers of optim/ with torch's signatures.
Each holds its C++ scheduler, which writes the lrs of the C++ optimizer's groups
(what optimizer.param_groups reads)."""
from ember._C import optim as _optim


class _Scheduler:
    """What every scheduler shows of its C++ one."""

    def get_last_lr(self):
        return list(self._cpp.get_last_lr())

    @property
    def last_epoch(self):
        return self._cpp.last_epoch


class _LRScheduler(_Scheduler):
    def step(self):
        self._cpp.step()

    @property
    def base_lrs(self):
        return list(self._cpp.base_lrs)


LRScheduler = _LRScheduler


class StepLR(_LRScheduler):
    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.optimizer = optimizer
        self._cpp = _optim.StepLR(optimizer._cpp, step_size, gamma, last_epoch)


class MultiStepLR(_LRScheduler):
    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.optimizer = optimizer
        self._cpp = _optim.MultiStepLR(optimizer._cpp, list(milestones), gamma, last_epoch)


class ExponentialLR(_LRScheduler):
    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.optimizer = optimizer
        self._cpp = _optim.ExponentialLR(optimizer._cpp, gamma, last_epoch)


class CosineAnnealingLR(_LRScheduler):
    def __init__(self, optimizer, T_max, eta_min=0, last_epoch=-1):  # noqa: N803 (torch's name)
        self.optimizer = optimizer
        self._cpp = _optim.CosineAnnealingLR(optimizer._cpp, T_max, eta_min, last_epoch)


class LinearLR(_LRScheduler):
    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        self.optimizer = optimizer
        self._cpp = _optim.LinearLR(optimizer._cpp, start_factor, end_factor, total_iters, last_epoch)


def _per_group(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class OneCycleLR(_LRScheduler):
    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
                 final_div_factor=1e4, three_phase=False, last_epoch=-1):
        self.optimizer = optimizer
        self._cpp = _optim.OneCycleLR(optimizer._cpp, _per_group(max_lr), total_steps, epochs, steps_per_epoch,
                                      pct_start, anneal_strategy, cycle_momentum, _per_group(base_momentum),
                                      _per_group(max_momentum), div_factor, final_div_factor, three_phase, last_epoch)

    @property
    def total_steps(self):
        return self._cpp.total_steps


class ReduceLROnPlateau(_Scheduler):
    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0, eps=1e-8):
        self.optimizer = optimizer
        self._cpp = _optim.ReduceLROnPlateau(optimizer._cpp, mode, factor, patience, threshold, threshold_mode,
                                             cooldown, _per_group(min_lr), eps)

    def step(self, metrics):
        self._cpp.step(float(metrics))

    @property
    def best(self):
        return self._cpp.best

    @property
    def num_bad_epochs(self):
        return self._cpp.num_bad_epochs
