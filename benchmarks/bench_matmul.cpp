// Matmul timing driver: raw OpenBLAS vs raw oneDNN sgemm (the measurement
// behind Note [Choosing the float32 GEMM] in ops/cpu/gemm.cpp), and
// ember::matmul on the same shapes; benchmarks/compare.py has libtorch's side.
//   scripts/bench builds it; OMP_NUM_THREADS=2 build/benchmarks/bench_matmul [reps-scale]
#include <ember/ember.h>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct Problem {
  int64_t m, n, k;
  char trans_a, trans_b;  // 'T': that operand is stored transposed (a .t() view in ember)
  const char* what;
};

// Best of `reps` after one warm-up: the quietest run is the least disturbed by the shared machine.
template <class F>
double best_seconds(int reps, const F& f) {
  f();
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  const std::vector<Problem> problems = {
      {64, 256, 784, 'N', 'N', "MLP fc1 forward"},    {64, 784, 256, 'N', 'N', "MLP fc1 grad input"},
      {784, 256, 64, 'T', 'N', "MLP fc1 grad weight"}, {64, 10, 256, 'N', 'N', "MLP fc2 forward"},
      {256, 256, 256, 'N', 'N', "square"},             {512, 512, 512, 'N', 'N', "square"},
      {1024, 1024, 1024, 'N', 'N', "square"},          {1024, 1024, 1024, 'N', 'T', "square, B^T"},
      {2048, 2048, 2048, 'N', 'N', "square"},
  };
  std::printf("threads %d; GFLOP/s, best of several runs\n", ember::get_num_threads());
  std::printf("%-22s %-5s %9s %9s %9s\n", "M x N x K", "op", "OpenBLAS", "oneDNN", "ember");
  for (const Problem& p : problems) {
    const double flops = 2.0 * p.m * p.n * p.k;
    const int reps = std::max(3, static_cast<int>(scale * 2e10 / flops));
    std::vector<float> a(p.m * p.k, 0.5f), b(p.k * p.n, 0.25f), c(p.m * p.n);
    const int64_t lda = p.trans_a == 'N' ? p.k : p.m, ldb = p.trans_b == 'N' ? p.n : p.k;
    double t_blas = best_seconds(reps, [&] {
      cblas_sgemm(CblasRowMajor, p.trans_a == 'N' ? CblasNoTrans : CblasTrans,
                  p.trans_b == 'N' ? CblasNoTrans : CblasTrans, p.m, p.n, p.k, 1.f, a.data(), lda, b.data(), ldb, 0.f,
                  c.data(), p.n);
    });
    double t_dnnl = best_seconds(reps, [&] {
      dnnl_sgemm(p.trans_a, p.trans_b, p.m, p.n, p.k, 1.f, a.data(), lda, b.data(), ldb, 0.f, c.data(), p.n);
    });
    ember::Tensor ta = p.trans_a == 'N' ? ember::full({p.m, p.k}, 0.5) : ember::full({p.k, p.m}, 0.5).t();
    ember::Tensor tb = p.trans_b == 'N' ? ember::full({p.k, p.n}, 0.25) : ember::full({p.n, p.k}, 0.25).t();
    double t_ember = best_seconds(reps, [&] { ember::matmul(ta, tb); });
    std::printf("%5lld x %5lld x %5lld  %c%c   %9.1f %9.1f %9.1f   %s\n", static_cast<long long>(p.m),
                static_cast<long long>(p.n), static_cast<long long>(p.k), p.trans_a, p.trans_b, flops / t_blas / 1e9,
                flops / t_dnnl / 1e9, flops / t_ember / 1e9, p.what);
  }
  // float64 goes to OpenBLAS only; batched small GEMMs run one per thread.
  ember::Tensor d = ember::full({1024, 1024}, 0.5, ember::kFloat64);
  double t64 = best_seconds(std::max(3, static_cast<int>(scale * 5)), [&] { ember::matmul(d, d); });
  std::printf("float64 1024^3 ember %.1f GFLOP/s\n", 2.0 * 1024 * 1024 * 1024 / t64 / 1e9);
  ember::Tensor q = ember::full({64, 128, 64}, 0.5), kt = ember::full({64, 64, 128}, 0.5);
  double tb = best_seconds(std::max(3, static_cast<int>(scale * 50)), [&] { ember::bmm(q, kt); });
  std::printf("bmm [64,128,64]x[64,64,128] ember %.1f GFLOP/s\n", 2.0 * 64 * 128 * 64 * 128 / tb / 1e9);
  ember::Tensor mat = ember::full({2048, 2048}, 0.5), vec = ember::full({2048}, 0.25);
  double tv = best_seconds(std::max(3, static_cast<int>(scale * 200)), [&] { ember::mv(mat, vec); });
  std::printf("mv [2048,2048]x[2048] ember %.1f GFLOP/s\n", 2.0 * 2048 * 2048 / tv / 1e9);
  ember::Tensor x = ember::full({1 << 20}, 0.5);
  double td = best_seconds(std::max(3, static_cast<int>(scale * 200)), [&] { ember::dot(x, x); });
  std::printf("dot [2^20] ember %.1f GFLOP/s\n", 2.0 * (1 << 20) / td / 1e9);
  return 0;
}
