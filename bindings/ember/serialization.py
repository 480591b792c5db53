"""ember.save / ember.load: state dicts as safetensors files (nn/serialize.h),
readable by PyTorch's safetensors loader. Only dicts of tensors are saved:
nothing in a checkpoint is ever executed (no pickle). An optimizer's nested
state dict is saved flat, as the C++ optimizer's (state.0.exp_avg, ...), which
its load_state_dict takes back."""
import collections
import os

from ember._C import Tensor, data as _data
from ember.optim import optimizer as _optimizer


def save(obj, f, metadata=None):
    """Writes a dict of name -> Tensor (a module's or optimizer's state_dict()) to the path f."""
    if isinstance(obj, dict) and _optimizer.is_nested_state_dict(obj):
        obj = dict(_optimizer.flatten_state_dict(obj))
    if not hasattr(obj, "items") or any(not isinstance(k, str) or not isinstance(v, Tensor) for k, v in obj.items()):
        raise TypeError("ember.save: expected a dict of str -> Tensor (a state_dict()); ember writes safetensors, "
                        f"not pickles, so {type(obj).__name__} cannot be saved")
    _data.save(list(obj.items()), os.fspath(f), dict(metadata or {}))


def load(f, map_location=None):
    """Reads a safetensors file into an OrderedDict of CPU tensors (map_location: a device to move them to)."""
    state = collections.OrderedDict(_data.load(os.fspath(f)))
    if map_location is not None:
        state = collections.OrderedDict((k, v.to(map_location)) for k, v in state.items())
    return state
