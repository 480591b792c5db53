#!/usr/bin/python3
"""Runs ember and libtorch side by side in one run and prints ratios.

Usage: benchmarks/compare.py BUILD_DIR [THREADS]   (scripts/bench does this)

ratio = libtorch time / ember time: above 1.0 ember is faster. Both sides run
the same source (benchmarks/bench_ops.cpp) with the same thread count.
Also: start-up of an empty program linked with each library, compile time of
a file including each umbrella header, and STREAM triad bandwidth as the
ceiling for the in-place add.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
threads = sys.argv[2] if len(sys.argv) > 2 else "2"
bench = os.path.join(build, "benchmarks")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_ops(program):
    out = subprocess.run([os.path.join(bench, program), threads], check=True, capture_output=True, text=True).stdout
    return {name: float(ns) for name, ns in (line.split() for line in out.splitlines())}


def startup_ms(program, runs=30):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([os.path.join(bench, program)], check=True)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def compile_seconds(source, flags):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.cpp")
        with open(path, "w") as f:
            f.write(source + "\nint main() { return 0; }\n")
        start = time.perf_counter()
        subprocess.run(["c++", "-std=c++20", "-O0", "-c", path, "-o", os.path.join(tmp, "probe.o")] + flags, check=True)
        return time.perf_counter() - start


def fmt_ns(ns):
    return f"{ns / 1e6:9.3f} ms" if ns >= 1e5 else f"{ns / 1e3:9.3f} us"


ember = run_ops("bench_ops_ember")
has_torch = os.path.exists(os.path.join(bench, "bench_ops_libtorch"))
torch = run_ops("bench_ops_libtorch") if has_torch else {}

print(f"ember vs libtorch 1.13, {threads} threads (ratio = libtorch time / ember time; > 1 means ember is faster)")
print(f"{'case':<20}{'ember':>14}{'libtorch':>14}{'ratio':>8}")
for name, ns in ember.items():
    other = torch.get(name)
    ratio = f"{other / ns:8.2f}" if other else "       -"
    print(f"{name:<20}{fmt_ns(ns):>14}{fmt_ns(other) if other else '-':>14}{ratio}")

triad = float(subprocess.run([os.path.join(bench, "stream_triad"), threads], check=True, capture_output=True,
                             text=True).stdout)
inplace_gbs = 3 * 16 * 1024 * 1024 * 4 / (ember["add_inplace_16M"] * 1e-9) / 1e9
print(f"\nin-place add 16M: {inplace_gbs:.1f} GB/s = {inplace_gbs / triad:.0%} of STREAM triad ({triad:.1f} GB/s)")
for size in (1024, 2048):
    key = f"matmul_{size}"
    if key in ember:
        gflops = 2 * size**3 / ember[key]
        other = f", libtorch {2 * size**3 / torch[key]:.0f}" if key in torch else ""
        print(f"matmul {size}: ember {gflops:.0f} GFLOP/s{other}")

if has_torch:
    e, t = startup_ms("empty_program_ember"), startup_ms("empty_program_libtorch")
    print(f"\nstart-up of an empty program: ember {e:.1f} ms, libtorch {t:.1f} ms (ember/libtorch = {e / t:.3f})")
    ce = compile_seconds("#include <ember/ember.h>", ["-I", os.path.join(build, "include")])
    ct = compile_seconds("#include <torch/torch.h>", ["-I/usr/include/torch/csrc/api/include"])
    print(f"compile a file including the umbrella header: ember {ce:.2f} s, libtorch {ct:.2f} s "
          f"(ember/libtorch = {ce / ct:.3f})")


def peak_run(command, env=None):
    """Runs command in a fresh Python parent; returns (stdout, peak RSS of the child in MiB)."""
    wrapper = ("import resource, subprocess, sys; "
               "out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True).stdout; "
               "print(out); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    out = subprocess.run(["/usr/bin/python3", "-c", wrapper] + command, check=True, capture_output=True, text=True,
                         env=env).stdout.strip().splitlines()
    return "\n".join(out[:-1]), float(out[-1])


# The Fashion-MNIST examples: one epoch of examples/fashion_mnist_{mlp,cnn}.cpp
# (their own per-epoch time) against benchmarks/fashion_mnist_epoch.py at
# PyTorch's best thread count, and the peak RSS of each run.
for kind in ("mlp", "cnn"):
    example = os.path.join(build, "examples", f"fashion_mnist_{kind}")
    if not (has_torch and os.path.exists(example) and os.path.exists("/usr/share/datasets/fashion-mnist")):
        continue
    with tempfile.TemporaryDirectory() as out_dir:
        env = dict(os.environ, OMP_NUM_THREADS=threads)
        text, ember_peak = peak_run([example, "--epochs", "1", "--out", out_dir], env)
        ember_epoch = float(next(line for line in text.splitlines() if line.startswith("epoch 1/1")).split(" s (")[0]
                            .split()[-1])
    torch_runs = {}
    for t in ("1", "2"):
        text, peak = peak_run(["/usr/bin/python3", os.path.join(root, "benchmarks", "fashion_mnist_epoch.py"), kind, t])
        torch_runs[t] = (float(text.split()[0]), peak)
    best = min(torch_runs, key=lambda t: torch_runs[t][0])
    torch_epoch, torch_peak = torch_runs[best]
    print(f"\nFashion-MNIST {kind.upper()} epoch: ember {ember_epoch:.2f} s ({threads} threads), PyTorch "
          f"{torch_epoch:.2f} s (its best: {best} thread(s); 1: {torch_runs['1'][0]:.2f} s, 2: {torch_runs['2'][0]:.2f} s)"
          f" (ember/PyTorch = {ember_epoch / torch_epoch:.2f})")
    print(f"peak RSS of the {kind.upper()} run: ember {ember_peak:.0f} MiB, PyTorch {torch_peak:.0f} MiB "
          f"(ember/PyTorch = {ember_peak / torch_peak:.2f})")
