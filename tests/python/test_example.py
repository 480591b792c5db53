"""examples/fashion_mnist.py, the MLP example in Python, reaches the C++ example's bar: at least 87% test
accuracy after its 5 epochs on the real Fashion-MNIST (Debian's dataset-fashion-mnist)."""
import os
import re
import subprocess
import sys

import pytest

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "fashion_mnist.py")
DATA = "/usr/share/datasets/fashion-mnist"


@pytest.mark.skipif(not os.path.isdir(DATA), reason=f"{DATA} is missing (scripts/setup installs dataset-fashion-mnist)")
def test_mlp_example_reaches_87_percent():
    out = subprocess.run([sys.executable, EXAMPLE], check=True, capture_output=True, text=True, timeout=600).stdout
    accuracies = [float(a) for a in re.findall(r"test accuracy ([0-9.]+)%", out)]
    assert len(accuracies) == 5, out
    assert accuracies[-1] >= 87.0, out
