"""Grad modes as context managers and decorators (torch.no_grad and friends).
Recording is per thread in the C++ library; these only switch it."""
import functools

from ember import _C


class _ModeSwitch:
    """A context manager that is also a decorator: @no_grad() runs the function inside the mode."""

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._copy():
                return fn(*args, **kwargs)
        return wrapper

    def _copy(self):
        return type(self)()


class no_grad(_ModeSwitch):  # noqa: N801 (torch's name)
    """Ops inside do not record; results do not require grad."""

    def __enter__(self):
        self._previous = _C.is_grad_enabled()
        _C._set_grad_enabled(False)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._previous)


class enable_grad(_ModeSwitch):  # noqa: N801
    """Recording on again inside a no_grad region."""

    def __enter__(self):
        self._previous = _C.is_grad_enabled()
        _C._set_grad_enabled(True)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._previous)


class set_grad_enabled(_ModeSwitch):  # noqa: N801
    """Sets the mode at once (usable as a function), restored on leaving a with-block."""

    def __init__(self, mode):
        self._mode = mode
        self._previous = _C.is_grad_enabled()
        _C._set_grad_enabled(mode)

    def _copy(self):
        return set_grad_enabled(self._mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._previous)


class inference_mode(_ModeSwitch):  # noqa: N801
    """No recording (ember keeps no extra state for inference tensors)."""

    def __init__(self, mode=True):
        self._mode = mode

    def _copy(self):
        return inference_mode(self._mode)

    def __enter__(self):
        self._guard = _C._InferenceModeGuard(self._mode)

    def __exit__(self, *exc):
        del self._guard


class detect_anomaly(_ModeSwitch):  # noqa: N801
    """Anomaly mode: each node keeps where it was recorded (the Python traceback and the native
    stack), and the first NaN/Inf made in forward or backward raises RuntimeError naming them."""

    def __init__(self, check_nan=True):
        self._check_nan = check_nan

    def _copy(self):
        return detect_anomaly(self._check_nan)

    def __enter__(self):
        self._previous = _C.is_anomaly_enabled()
        _C.set_detect_anomaly(self._check_nan)

    def __exit__(self, *exc):
        _C.set_detect_anomaly(self._previous)


set_detect_anomaly = _C.set_detect_anomaly
