# pytest setup for the Python module's tests (run by ctest with PYTHONPATH set to
# build/python; see tests/CMakeLists.txt). PyTorch 1.13 (Debian's python3-torch)
# is the oracle of the parity checks.
import numpy as np
import pytest


def assert_same(ember_tensor, expected, rtol=1e-6, atol=1e-6):
    """ember_tensor's values, shape and dtype name equal those of expected (a torch tensor or array)."""
    expected = np.asarray(expected.detach().numpy() if hasattr(expected, "detach") else expected)
    actual = ember_tensor.detach().numpy()
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


@pytest.fixture
def same():
    return assert_same
