// The CPU GEMM layer: BLAS calls for float32/float64 (oneDNN's dnnl_sgemm for
// float32, chosen by measurement; OpenBLAS for float64 and dots), a blocked
// loop for integers, and the batch loop that spreads small GEMMs over threads.
#include <ember/core/error.h>
#include <ember/core/parallel.h>
#include <ember/ops/cpu/gemm.h>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <optional>
#include <type_traits>

namespace ember::cpu {
namespace {

// How BLAS reads one row-major operand: as stored ('N'), or as the transpose
// of a row-major matrix ('T', i.e. column-major), with its leading dimension.
struct BlasLayout {
  char trans;
  int64_t ld;
};

// Sizes of 1 make their stride meaningless, so they never disqualify a layout.
std::optional<BlasLayout> blas_layout(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  if ((cols == 1 || col_stride == 1) && (rows == 1 || row_stride >= std::max<int64_t>(1, cols))) {
    return BlasLayout{'N', rows == 1 ? std::max<int64_t>(1, cols) : row_stride};
  }
  if ((rows == 1 || row_stride == 1) && (cols == 1 || col_stride >= std::max<int64_t>(1, rows))) {
    return BlasLayout{'T', cols == 1 ? std::max<int64_t>(1, rows) : col_stride};
  }
  return std::nullopt;
}

CBLAS_TRANSPOSE cblas_trans(char t) { return t == 'N' ? CblasNoTrans : CblasTrans; }

// OpenBLAS's int is 32 bits in Debian's build.
bool fits_blasint(std::initializer_list<int64_t> values) {
  return std::all_of(values.begin(), values.end(), [](int64_t v) { return v <= INT_MAX; });
}

// Note [Choosing the float32 GEMM]
// float32 GEMMs go to oneDNN's dnnl_sgemm at every size; OpenBLAS does float64
// (oneDNN has no dgemm) and the 1 x 1 dots. Measured on the 2-core AMD EPYC
// (AVX-512) with OPENBLAS_CORETYPE=Haswell in the environment, which holds
// OpenBLAS to its AVX2 kernels; benchmarks/bench_matmul.cpp, GFLOP/s, best of
// several runs, row-major float32 (the machine was shared with other builds,
// so the 2-thread numbers of the large sizes are noisy; the ratio is not):
//   M x N x K            threads  OpenBLAS  oneDNN
//   64 x 256 x 784 (MLP)     2      204      432
//   64 x 784 x 256           2      203      449
//   784 x 256 x 64, A^T      2      208      453
//   64 x 10 x 256            2       64      146
//   256^3                    2      180      451
//   512^3                    2      190      423
//   1024^3                   1      112      218
//   2048^3                   1      110      218
//   2048^3                   2       95      211
// oneDNN is about 2x faster everywhere, including the small MLP shapes.

template <class T>
void blas_gemm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, BlasLayout la, const T* b, BlasLayout lb, T beta,
               T* c, int64_t ldc) {
  if constexpr (std::is_same_v<T, float>) {
    // See Note [Choosing the float32 GEMM].
    dnnl_status_t status = dnnl_sgemm(la.trans, lb.trans, m, n, k, alpha, a, la.ld, b, lb.ld, beta, c, ldc);
    EMBER_INTERNAL_ASSERT(status == dnnl_success, "dnnl_sgemm failed with status {}", static_cast<int>(status));
  } else {
    EMBER_CHECK(fits_blasint({m, n, k, la.ld, lb.ld, ldc}),
                "matmul: expected float64 matrix sizes and strides below 2^31 (OpenBLAS's int), got {}x{}x{}", m, k, n);
    cblas_dgemm(CblasRowMajor, cblas_trans(la.trans), cblas_trans(lb.trans), m, n, k, alpha, a, la.ld, b, lb.ld, beta,
                c, ldc);
  }
}

// The loop for what BLAS does not take: integers (any strides), and k == 0 for
// every dtype. Integers accumulate in uint64, whose wrap-around is defined, so
// overflow wraps like PyTorch instead of being UB; floats accumulate in T.
// Blocked over columns so a row's accumulators stay in L1 while B streams.
template <class T>
void loop_gemm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t ars, int64_t acs, const T* b,
               int64_t brs, int64_t bcs, T beta, T* c, int64_t crs, int64_t ccs) {
  using Acc = std::conditional_t<std::is_integral_v<T>, uint64_t, T>;
  constexpr int64_t kBlock = 256;
  const Acc alpha_acc = static_cast<Acc>(alpha), beta_acc = static_cast<Acc>(beta);
  const int64_t grain = static_cast<int64_t>(std::max(1.0, 32768.0 / std::max(1.0, double(n) * double(k))));
  parallel_for(0, m, grain, [&](int64_t row_begin, int64_t row_end) {
    std::array<Acc, kBlock> acc;
    for (int64_t i = row_begin; i < row_end; ++i) {
      for (int64_t j0 = 0; j0 < n; j0 += kBlock) {
        const int64_t width = std::min(kBlock, n - j0);
        std::fill_n(acc.begin(), width, Acc(0));
        for (int64_t p = 0; p < k; ++p) {
          const Acc av = static_cast<Acc>(a[i * ars + p * acs]);
          const T* brow = b + p * brs + j0 * bcs;
          for (int64_t j = 0; j < width; ++j) acc[j] += av * static_cast<Acc>(brow[j * bcs]);
        }
        T* crow = c + i * crs + j0 * ccs;
        for (int64_t j = 0; j < width; ++j) {
          Acc old = beta_acc == Acc(0) ? Acc(0) : beta_acc * static_cast<Acc>(crow[j * ccs]);
          crow[j * ccs] = static_cast<T>(alpha_acc * acc[j] + old);
        }
      }
    }
  });
}

// A 1 x 1 result is a dot product: BLAS's dot is ~20x faster there than a GEMM
// with M = N = 1 (measured: 2.3 vs 54 GFLOP/s on 2^20 elements).
template <class T>
T blas_dot(int64_t k, const T* a, int64_t inc_a, const T* b, int64_t inc_b) {
  if constexpr (std::is_same_v<T, float>) return cblas_sdot(k, a, inc_a, b, inc_b);
  else return cblas_ddot(k, a, inc_a, b, inc_b);
}

template <class T>
void gemm_one(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t ars, int64_t acs, const T* b, int64_t brs,
              int64_t bcs, T beta, T* c, int64_t crs, int64_t ccs) {
  if constexpr (std::is_floating_point_v<T>) {
    if (m == 1 && n == 1 && k > 0 && fits_blasint({k, std::abs(acs), std::abs(brs)})) {
      const T product = alpha * blas_dot<T>(k, a, acs, b, brs);
      *c = beta == T(0) ? product : product + beta * *c;
      return;
    }
    if (k > 0) {
      std::optional<BlasLayout> la = blas_layout(m, k, ars, acs), lb = blas_layout(k, n, brs, bcs),
                                lc = blas_layout(m, n, crs, ccs);
      EMBER_INTERNAL_ASSERT(la && lb && lc && lc->trans == 'N', "gemm: operands not prepared for BLAS");
      blas_gemm<T>(m, n, k, alpha, a, *la, b, *lb, beta, c, lc->ld);
      return;
    }
  }
  loop_gemm<T>(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, crs, ccs);
}

// Below this many multiply-adds a GEMM barely uses one core, so a batch of
// them runs one GEMM per thread instead of threading inside each.
constexpr double kSmallGemm = 1 << 21;

template <class T>
void gemm_batched_typed(int64_t batch, int64_t m, int64_t n, int64_t k, T alpha, MatrixBatch a, MatrixBatch b, T beta,
                        MatrixBatch c) {
  const T* pa = static_cast<const T*>(a.data);
  const T* pb = static_cast<const T*>(b.data);
  T* pc = static_cast<T*>(c.data);
  auto run = [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      gemm_one<T>(m, n, k, alpha, pa + a.offsets[i], a.row_stride, a.col_stride, pb + b.offsets[i], b.row_stride,
                  b.col_stride, beta, pc + c.offsets[i], c.row_stride, c.col_stride);
    }
  };
  const double work = double(m) * double(n) * double(std::max<int64_t>(k, 1));  // double: no overflow
  if (batch > 1 && work < kSmallGemm) {
    // Inside the parallel region OpenBLAS and oneDNN each run single-threaded.
    parallel_for(0, batch, static_cast<int64_t>(std::max(1.0, kSmallGemm / 8 / work)), run);
  } else {
    run(0, batch);
  }
}

}  // namespace

bool blas_compatible(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  return blas_layout(rows, cols, row_stride, col_stride).has_value();
}

void gemm_batched(DType dtype, int64_t batch, int64_t m, int64_t n, int64_t k, const Scalar& alpha, MatrixBatch a,
                  MatrixBatch b, const Scalar& beta, MatrixBatch c) {
  if (batch == 0 || m == 0 || n == 0) return;
  dispatch_dtype<DTypes::Numeric>("matmul", dtype, [&]<class T>() {
    if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
      EMBER_INTERNAL_ASSERT(false, "gemm_batched: {} must be converted to float32 by the caller", dtype);
    } else {
      gemm_batched_typed<T>(batch, m, n, k, alpha.to<T>(), a, b, beta.to<T>(), c);
    }
  });
}

}  // namespace ember::cpu
