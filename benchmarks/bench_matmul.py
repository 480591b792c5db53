# PyTorch's side of the matmul benchmark: the same shapes and layouts as
# bench_matmul.cpp, the same thread count, GFLOP/s as best of several runs.
#   /usr/bin/python3 benchmarks/bench_matmul.py [threads] [reps-scale]
import sys
import time

import torch

PROBLEMS = [  # (M, N, K, A stored transposed, B stored transposed, what)
    (64, 256, 784, False, False, "MLP fc1 forward"),
    (64, 784, 256, False, False, "MLP fc1 grad input"),
    (784, 256, 64, True, False, "MLP fc1 grad weight"),
    (64, 10, 256, False, False, "MLP fc2 forward"),
    (256, 256, 256, False, False, "square"),
    (512, 512, 512, False, False, "square"),
    (1024, 1024, 1024, False, False, "square"),
    (1024, 1024, 1024, False, True, "square, B^T"),
    (2048, 2048, 2048, False, False, "square"),
]


def best_seconds(reps, f):
    f()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}; GFLOP/s, best of several runs")
    print(f"{'M x N x K':<22} {'op':<5} {'torch':>9}")
    for m, n, k, ta, tb, what in PROBLEMS:
        flops = 2.0 * m * n * k
        reps = max(3, int(scale * 2e10 / flops))
        a = torch.full((k, m), 0.5).t() if ta else torch.full((m, k), 0.5)
        b = torch.full((n, k), 0.25).t() if tb else torch.full((k, n), 0.25)
        t = best_seconds(reps, lambda: torch.matmul(a, b))
        op = ("T" if ta else "N") + ("T" if tb else "N")
        print(f"{m:5d} x {n:5d} x {k:5d}  {op}   {flops / t / 1e9:9.1f}   {what}")
    d = torch.full((1024, 1024), 0.5, dtype=torch.float64)
    t = best_seconds(max(3, int(scale * 5)), lambda: torch.matmul(d, d))
    print(f"float64 1024^3 torch {2.0 * 1024**3 / t / 1e9:.1f} GFLOP/s")
    q, kt = torch.full((64, 128, 64), 0.5), torch.full((64, 64, 128), 0.5)
    t = best_seconds(max(3, int(scale * 50)), lambda: torch.bmm(q, kt))
    print(f"bmm [64,128,64]x[64,64,128] torch {2.0 * 64 * 128 * 64 * 128 / t / 1e9:.1f} GFLOP/s")

    mat, vec = torch.full((2048, 2048), 0.5), torch.full((2048,), 0.25)
    t = best_seconds(max(3, int(scale * 200)), lambda: torch.mv(mat, vec))
    print(f"mv [2048,2048]x[2048] torch {2.0 * 2048 * 2048 / t / 1e9:.1f} GFLOP/s")
    x = torch.full((1 << 20,), 0.5)
    t = best_seconds(max(3, int(scale * 200)), lambda: torch.dot(x, x))
    print(f"dot [2^20] torch {2.0 * (1 << 20) / t / 1e9:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
