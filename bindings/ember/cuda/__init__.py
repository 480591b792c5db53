"""ember.cuda: torch.cuda's queries over ember's CUDA runtime (cuda/cuda.h).

Without a GPU, or in a build without CUDA, is_available() is False and
device_count() 0, as torch answers; the rest raise RuntimeError then.
ember has one random generator for every device, so manual_seed and
manual_seed_all seed it as ember.manual_seed does (a script that seeds torch
and torch.cuda with the same value gets what it expects).
"""
from ember._C import cuda as _cuda, device as _device, manual_seed as _manual_seed

is_available = _cuda.is_available
device_count = _cuda.device_count
current_device = _cuda.current_device
empty_cache = _cuda.empty_cache


def _index(device):
    """A device argument (None, an int, "cuda:1", ember.device) as a CUDA device index; None: the current one."""
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    device = _device(device) if isinstance(device, str) else device
    if device.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {device}")
    return current_device() if device.index is None else device.index


def set_device(device):
    _cuda.set_device(_index(device))


def synchronize(device=None):
    """Waits for every kernel queued on the device (ember's ops use one stream per device)."""
    index, current = _index(device), current_device()
    if index != current:
        set_device(index)
    try:
        _cuda.synchronize()
    finally:
        if index != current:
            set_device(current)


def memory_allocated(device=None):
    """Bytes held by live tensors on the device."""
    return _cuda.memory_stats(_index(device))[0]


def memory_reserved(device=None):
    """Bytes the caching allocator holds on the device: live tensors and its cache."""
    allocated, cached, _ = _cuda.memory_stats(_index(device))
    return allocated + cached


def max_memory_allocated(device=None):
    return _cuda.memory_stats(_index(device))[2]


def manual_seed(seed):
    _manual_seed(seed)


manual_seed_all = manual_seed
