"""ember.optim.Optimizer: torch's optimizer interface over a C++ optimizer (ember._C.optim).

param_groups is a list of dict-like groups that read and write the C++
group's options (so opt.param_groups[0]["lr"] = 0.1 changes the next step,
and an LR scheduler's changes show); "params" holds the Python tensors given.
state_dict() is torch's nested dict, made from the C++ flat one (see Note
[Nested optimizer state dicts]); load_state_dict takes either form.
"""
import collections.abc

from ember._C import Tensor, dtype, tensor

required = object()  # SGD's lr has no default, as torch.optim.optimizer.required

# Options of torch 1.13's groups that ember implements only at torch's default value: groups and state
# dicts show them (each optimizer names those its torch namesake has, in _torch_only_options), and another
# value is a ValueError.
TORCH_ONLY_OPTIONS = {"maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                      "fused": False}


class _ParamGroup(collections.abc.MutableMapping):
    """One group: "params" and the C++ group's options by torch's names."""

    def __init__(self, optimizer, index, params):
        self._optimizer, self._index, self._params = optimizer, index, params

    def _keys(self):
        keys = ["params", *self._optimizer._cpp.option_names(self._index), *self._optimizer._torch_only_options]
        try:
            self._optimizer._cpp.get_option(self._index, "initial_lr")
            keys.append("initial_lr")
        except KeyError:
            pass
        return keys

    def __getitem__(self, key):
        if key == "params":
            return self._params
        if key in self._optimizer._torch_only_options:
            return TORCH_ONLY_OPTIONS[key]
        return self._optimizer._cpp.get_option(self._index, key)

    def __setitem__(self, key, value):
        if key == "params":
            raise KeyError("ember: a group's params are fixed once added (use add_param_group)")
        if key in self._optimizer._torch_only_options:
            _check_torch_only(self._optimizer, key, value)
            return
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


# Note [Nested optimizer state dicts]
# state_dict() is torch's nested dict, made from the C++ flat one (optim/optimizer.h):
#   flat state.<i>.step             -> ["state"][i]["step"]: a 0-d float64 there; here, as torch 1.13 keeps
#                                      it, a 0-d float32 tensor (Adam, AdamW, Adagrad) or an int (RMSprop)
#   flat state.<i>.<buffer>         -> ["state"][i][<buffer>], the same tensor; SGD's momentum_buffer is None
#                                      for a parameter stepped without momentum (the flat dict has no key, so
#                                      such an entry is not restored by a load: the next step recreates it)
#   flat param_groups.<g>.<option>  -> ["param_groups"][g][<option>]: the group's Python value (float, bool,
#                                      tuple) as param_groups shows it, and the torch-only options besides
#   flat param_groups.<g>.params    -> ["param_groups"][g]["params"]: a list of the indices <i>
# flatten_state_dict goes back (for load_state_dict and ember.save): tensors stay, None and torch-only
# options at their default are dropped, params become int64 and every other value float64 (flags 1 or 0,
# betas 2 values), as the C++ load reads them.


def is_nested_state_dict(state_dict):
    return isinstance(state_dict.get("state"), dict) and isinstance(state_dict.get("param_groups"), list)


def _is_default(name, value):
    return name in TORCH_ONLY_OPTIONS and value is not None and value == TORCH_ONLY_OPTIONS[name]


def _check_torch_only(optimizer, name, value):
    default = TORCH_ONLY_OPTIONS[name]
    if value is not default and not _is_default(name, value):
        raise ValueError(f"ember's {type(optimizer).__name__} implements only {name}={default!r}, got {value!r}")


def _flat_value(name, value):
    if isinstance(value, Tensor):
        return value
    return tensor(list(value), dtype=dtype.int64) if name == "params" else tensor(value, dtype=dtype.float64)


def flatten_state_dict(state_dict):
    """torch's nested optimizer state dict as the C++ flat one; see Note [Nested optimizer state dicts]."""
    flat = [(f"state.{i}.{name}", name, value) for i, entry in state_dict["state"].items()
            for name, value in entry.items()]
    flat += [(f"param_groups.{g}.{name}", name, value) for g, group in enumerate(state_dict["param_groups"])
             for name, value in group.items()]
    return [(key, _flat_value(name, value)) for key, name, value in flat
            if value is not None and not _is_default(name, value)]


class Optimizer:
    """The base: subclasses name their C++ class (_cpp_class) and pass torch's defaults.

    _torch_only_options: the TORCH_ONLY_OPTIONS that torch 1.13's namesake has.
    _int_step: torch keeps this optimizer's state["step"] as an int, not as a tensor.
    _empty_state: what torch's state of a stepped parameter holds besides the C++ state's tensors.
    """
    _torch_only_options = ()
    _int_step = False
    _empty_state = {}

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
        """torch's nested state dict; see Note [Nested optimizer state dicts]."""
        state = {i: dict(self._empty_state) for i in self._cpp.indices_with_state()}
        for key, value in self._cpp.state_dict():
            kind, index, name = key.split(".", 2)
            if kind == "state":
                if name == "step":
                    value = int(value) if self._int_step else value.to(dtype.float32)
                state[int(index)][name] = value
        param_groups, start = [], 0
        for group in self.param_groups:
            count = len(group["params"])
            param_groups.append(dict({k: v for k, v in group.items() if k != "params"},
                                     params=list(range(start, start + count))))
            start += count
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Loads torch's nested form (state_dict()) or the flat one (what ember.load reads of a saved one)."""
        flat = flatten_state_dict(state_dict) if is_nested_state_dict(state_dict) else list(state_dict.items())
        options = []
        for key, value in flat:
            name = key.rsplit(".", 1)[-1]
            if key.startswith("param_groups.") and name in self._torch_only_options:
                _check_torch_only(self, name, float(value))  # at the default: nothing for the C++ optimizer
            else:
                options.append((key, value))
        self._cpp.load_state_dict(options)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"
