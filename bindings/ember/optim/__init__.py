"""ember.optim: the C++ optimizers with torch.optim's signatures (optimizer.py
says how param_groups reach the C++ groups), and lr_scheduler."""
from ember._C import optim as _optim
from ember.optim import lr_scheduler  # noqa: F401
from ember.optim.optimizer import Optimizer, required


class SGD(Optimizer):
    _cpp_class = _optim.SGD
    _torch_only_options = ("maximize", "foreach", "differentiable")
    _empty_state = {"momentum_buffer": None}  # torch's, for a parameter stepped without momentum

    def __init__(self, params, lr=required, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov))


class Adam(Optimizer):
    _cpp_class = _optim.Adam
    _torch_only_options = ("maximize", "foreach", "capturable", "differentiable", "fused")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad))


class AdamW(Optimizer):
    _cpp_class = _optim.AdamW
    _torch_only_options = ("foreach", "maximize", "capturable")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad))


class RMSprop(Optimizer):
    _cpp_class = _optim.RMSprop
    _torch_only_options = ("foreach", "maximize", "differentiable")
    _int_step = True

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered))


class Adagrad(Optimizer):
    _cpp_class = _optim.Adagrad
    _torch_only_options = ("foreach", "maximize")

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))
