"""ember.optim.Optimizer: torch's optimizer interface over a C++ optimizer (ember._C.optim).

param_groups is a list of dict-like groups that read and write the C++
group's options (so opt.param_groups[0]["lr"] = 0.1 changes the next step,
and an LR scheduler's changes show); "params" holds the Python tensors given.
state_dict() is the C++ one: flat keys ("state.0.exp_avg", "param_groups.0.lr")
that ember.save writes as they are.
"""
import collections.abc

from ember._C import Tensor

required = object()  # SGD's lr has no default, as torch.optim.optimizer.required


class _ParamGroup(collections.abc.MutableMapping):
    """One group: "params" and the C++ group's options by torch's names."""

    def __init__(self, optimizer, index, params):
        self._optimizer, self._index, self._params = optimizer, index, params

    def _keys(self):
        keys = ["params"] + self._optimizer._cpp.option_names(self._index)
        try:
            self._optimizer._cpp.get_option(self._index, "initial_lr")
            keys.append("initial_lr")
        except KeyError:
            pass
        return keys

    def __getitem__(self, key):
        if key == "params":
            return self._params
        return self._optimizer._cpp.get_option(self._index, key)

    def __setitem__(self, key, value):
        if key == "params":
            raise KeyError("ember: a group's params are fixed once added (use add_param_group)")
        self._optimizer._cpp.set_option(self._index, key, value)

    def __delitem__(self, key):
        raise KeyError(f"ember: a group's '{key}' cannot be deleted")

    def __iter__(self):
        return iter(self._keys())

    def __len__(self):
        return len(self._keys())

    def __repr__(self):
        return repr(dict(self))


def _groups(name, params):
    """params as torch takes them: an iterable of tensors, or of dicts with "params" (and options)."""
    if isinstance(params, Tensor):
        raise TypeError(f"{name}(): params argument given to the optimizer should be an iterable of Tensors or "
                        f"dicts, but got {type(params).__name__}")
    params = list(params)
    if not params:
        raise ValueError("optimizer got an empty parameter list")
    groups = params if isinstance(params[0], dict) else [{"params": params}]
    out = []
    for group in groups:
        tensors = group["params"]
        tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(t).__name__}")
        out.append((tensors, {k: v for k, v in group.items() if k != "params"}))
    return out


class Optimizer:
    """The base: subclasses name their C++ class (_cpp_class) and pass torch's defaults."""

    def __init__(self, params, defaults):
        name = type(self).__name__
        if defaults.get("lr") is required:
            raise TypeError(f"{name}(): missing required argument 'lr'")
        self.defaults = defaults
        groups = _groups(name, params)
        self._cpp = self._cpp_class(groups, defaults)
        self.param_groups = [_ParamGroup(self, i, tensors) for i, (tensors, _) in enumerate(groups)]

    def add_param_group(self, param_group):
        [(tensors, options)] = _groups(type(self).__name__, [param_group])
        self._cpp.add_param_group(tensors, options)
        self.param_groups.append(_ParamGroup(self, len(self.param_groups), tensors))

    def step(self, closure=None):
        loss = None
        if closure is not None:
            from ember.autograd import enable_grad
            with enable_grad():
                loss = closure()
        self._cpp.step()
        return loss

    def zero_grad(self, set_to_none=True):
        self._cpp.zero_grad(set_to_none)

    def state_dict(self):
        return collections.OrderedDict(self._cpp.state_dict())

    def load_state_dict(self, state_dict):
        self._cpp.load_state_dict(list(state_dict.items()))

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"
