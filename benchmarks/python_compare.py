#!/usr/bin/python3
"""The Python module beside PyTorch, in one run: per-op overhead of `a + b` on
1-element tensors (with and without requires_grad) and the time of `import`.

Usage: PYTHONPATH=build/python benchmarks/python_compare.py   (scripts/bench runs it)
ratio = ember time / PyTorch time: below 1 ember is faster.
"""
import subprocess
import sys
import timeit


def per_op_us(lib, requires_grad):
    a = lib.ones(1, requires_grad=requires_grad)
    b = lib.ones(1, requires_grad=requires_grad)
    calls = 100_000
    return min(timeit.repeat(lambda: a + b, number=calls, repeat=7)) / calls * 1e6


def import_seconds(module):
    """The median of 5 fresh interpreters importing module."""
    times = []
    for _ in range(5):
        code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        times.append(float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                          text=True).stdout))
    return sorted(times)[len(times) // 2]


def main():
    import ember
    import torch
    torch.set_num_threads(1)
    ember.set_num_threads(1)
    print("ember vs PyTorch 1.13 from Python (ratio = ember / PyTorch; < 1 means ember is faster)")
    for requires_grad in (False, True):
        e, t = per_op_us(ember, requires_grad), per_op_us(torch, requires_grad)
        print(f"a + b, 1 element{', requires_grad' if requires_grad else '':<15} ember {e:6.3f} us  "
              f"PyTorch {t:6.3f} us  ratio {e / t:.2f}")
    e, t = import_seconds("ember"), import_seconds("torch")
    print(f"import                             ember {e * 1e3:6.1f} ms  PyTorch {t * 1e3:6.1f} ms  ratio {e / t:.3f}")


if __name__ == "__main__":
    main()
