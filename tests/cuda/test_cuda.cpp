// The CUDA backend against the CPU: round trips through to("cuda"), the
// elementwise kernels (+, *, relu, unary math) on every layout the CPU loop
// sees, row sums, casts, fill, and the caching allocator. Without a GPU each
// device test warns "no CUDA device: skipped" and returns; the no-device errors run instead.
#include <ember/cuda/kernels.h>

#include "harness.h"

#include <string>
#include <vector>

using namespace ember;
using namespace ember::testing;

namespace {


// Every device test starts here (Catch2 v2 has no SKIP: WARN, then the test returns).
bool cuda_or_skip() {
  if (cuda::is_available()) return true;
  WARN("no CUDA device: skipped");
  return false;
}

// Sample values a dtype can hold without UB on conversion (no negatives for uint8 and bool).
Tensor sample(IntArrayRef shape, DType dtype, uint64_t seed, Layout layout = Layout::Contiguous) {
  const double lo = dtype == kUInt8 || dtype == kBool ? 0.0 : -3.0;
  return make_tensor(shape, dtype, lo, 3.0, seed, layout);
}

struct Sample {
  std::string name;
  Tensor a, b;
};

// The layouts that reach the two kernels of cuda/loops.cuh: flat contiguous, 0-d,
// broadcast (stride 0), transposed, sliced with a step, empty, and one big
// enough that every thread of the grid-stride loop takes several elements.
std::vector<Sample> binary_samples(DType dtype) {
  return {
      {"contiguous", sample({4, 5}, dtype, 1), sample({4, 5}, dtype, 2)},
      {"0-d", sample({}, dtype, 3), sample({}, dtype, 4)},
      {"broadcast", sample({3, 1}, dtype, 5), sample({1, 4}, dtype, 6)},
      {"tensor and 0-d", sample({2, 3, 4}, dtype, 7), sample({}, dtype, 8)},
      {"transposed", sample({5, 6}, dtype, 9, Layout::Transposed), sample({5, 6}, dtype, 10)},
      {"sliced with step", sample({6, 8}, dtype, 11).slice(1, 1, 8, 3), sample({6, 3}, dtype, 12)},
      {"empty", sample({0, 3}, dtype, 13), sample({0, 3}, dtype, 14)},
      {"large", sample({523, 2049}, dtype, 15), sample({523, 2049}, dtype, 16, Layout::Transposed)},
  };
}

// The GPU result, brought back, against the CPU result: the same functor runs on
// both, so only float rounding (FMA contraction, device libm) may differ.
void check_matches_cpu(const Tensor& gpu, const Tensor& cpu, double rtol) {
  REQUIRE(gpu.is_cuda());
  REQUIRE(gpu.dtype() == cpu.dtype());
  check_close(gpu.cpu(), cpu, rtol, rtol);
}

double parity_rtol(DType dtype) { return is_floating_point(dtype) ? 2 * rtol_for(dtype) : 0.0; }

}  // namespace

TEST_CASE("cuda: without a device, CUDA tensors fail with a clear error", "[cuda]") {
  if (cuda::is_available()) {
    WARN("a CUDA device is present: the no-device errors cannot happen here");
    return;
  }
#ifdef EMBER_WITH_CUDA
  const char* reason = "expected a CUDA device, got none";
#else
  const char* reason = "ember was built without CUDA";
#endif
  CHECK(cuda::device_count() == 0);
  REQUIRE_ERROR(zeros({2, 3}, "cuda"), reason);
  REQUIRE_ERROR(ones({2}).to("cuda:0"), reason);
  REQUIRE_ERROR(cuda::synchronize(), reason);
  REQUIRE_ERROR(cuda::memory_stats(), reason);
}

TEST_CASE("cuda: to(\"cuda\") and back keeps values, dtype and shape", "[cuda]") {
  if (!cuda_or_skip()) return;
  CHECK(cuda::device_count() >= 1);
  for (DType dtype : kAllDTypes) {
    for (Tensor host : {sample({3, 4}, dtype, 1), sample({4, 5}, dtype, 2, Layout::Transposed),
                        sample({6, 8}, dtype, 3).slice(0, 1, 6, 2), sample({}, dtype, 4), sample({0, 2}, dtype, 5)}) {
      INFO("dtype " << dtype_name(dtype) << ", shape " << host.shape().size() << "-d");
      Tensor device = host.to("cuda");
      CHECK(device.is_cuda());
      CHECK(device.device() == Device::cuda(0));
      CHECK(device.dtype() == dtype);
      CHECK(device.shape() == host.shape());
      Tensor back = device.cpu();
      CHECK(back.is_cpu());
      check_close(back, host, 0.0, 0.0);
    }
  }
}

TEST_CASE("cuda: + and * match the CPU on every layout and dtype", "[cuda]") {
  if (!cuda_or_skip()) return;
  for (DType dtype : kAllDTypes) {
    for (const Sample& s : binary_samples(dtype)) {
      INFO("dtype " << dtype_name(dtype) << ", sample " << s.name);
      Tensor a = s.a.to("cuda"), b = s.b.to("cuda");
      check_matches_cpu(a + b, s.a + s.b, parity_rtol(dtype));
      check_matches_cpu(a * b, s.a * s.b, parity_rtol(dtype));
      if (dtype != kBool) {
        check_matches_cpu(add(a, b, 2), add(s.a, s.b, 2), parity_rtol(dtype));
        check_matches_cpu(a * 3, s.a * 3, parity_rtol(dtype));
      }
    }
  }
}

TEST_CASE("cuda: mixed dtypes promote as on the CPU", "[cuda]") {
  if (!cuda_or_skip()) return;
  Tensor a = sample({3, 4}, kFloat16, 1), b = sample({4}, kFloat32, 2), c = sample({3, 1}, kInt64, 3);
  Tensor ga = a.to("cuda"), gb = b.to("cuda"), gc = c.to("cuda");
  check_matches_cpu(ga + gb, a + b, parity_rtol(kFloat32));
  check_matches_cpu(gc * ga, c * a, parity_rtol(kFloat16));
  check_matches_cpu(gc + 0.5, c + 0.5, parity_rtol(kFloat32));
}

TEST_CASE("cuda: relu and unary math match the CPU", "[cuda]") {
  if (!cuda_or_skip()) return;
  for (DType dtype : kAllDTypes) {
    if (dtype == kBool) continue;  // relu is numeric only, on both devices
    for (const Sample& s : binary_samples(dtype)) {
      INFO("dtype " << dtype_name(dtype) << ", sample " << s.name);
      check_matches_cpu(relu(s.a.to("cuda")), relu(s.a), 0.0);
    }
  }
  // Device libm differs from glibc by an ulp or two: compare at a few ulps of each dtype.
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    for (const Sample& s : binary_samples(dtype)) {
      INFO("dtype " << dtype_name(dtype) << ", sample " << s.name);
      const double rtol = dtype == kFloat64 ? 1e-14 : dtype == kFloat32 ? 1e-6 : 2 * rtol_for(dtype);
      Tensor a = s.a.to("cuda");
      check_matches_cpu(exp(a), exp(s.a), rtol);
      check_matches_cpu(tanh(a), tanh(s.a), rtol);
      check_matches_cpu(sigmoid(a), sigmoid(s.a), rtol);
    }
  }
  Tensor special = tensor({-1.0, 0.0, 2.0, NAN, INFINITY, -INFINITY}, kFloat32);
  check_matches_cpu(relu(special.to("cuda")), relu(special), 0.0);
}

TEST_CASE("cuda: sum_contiguous sums each row like a float64 loop", "[cuda]") {
  if (!cuda_or_skip()) return;
  struct Rows {
    int64_t outer, inner;
  };
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64}) {
    for (Rows rows : {Rows{3, 1000}, Rows{1, 1}, Rows{7, 33}, Rows{2, 100000}, Rows{300, 5}, Rows{4, 0}, Rows{0, 5}}) {
      INFO("dtype " << dtype_name(dtype) << ", " << rows.outer << " rows of " << rows.inner);
      // Non-negative values: no cancellation, so a relative tolerance means something;
      // small ones for float16, whose row of 100000 must stay below its max (65504).
      const double hi = dtype == kInt64 ? 100.0 : dtype == kFloat16 ? 0.5 : 4.0;
      Tensor host = make_tensor({rows.outer, rows.inner}, dtype, 0.0, hi, 17);
      Tensor device = host.to("cuda");
      Tensor out = empty({rows.outer}, {dtype, "cuda"});
      cuda::sum_contiguous(device.data_ptr(), out.data_ptr(), dtype, rows.outer, rows.inner);
      std::vector<double> values = values_of(host), expected(static_cast<size_t>(rows.outer), 0.0);
      for (int64_t r = 0; r < rows.outer; ++r) {
        for (int64_t i = 0; i < rows.inner; ++i) expected[r] += values[r * rows.inner + i];
      }
      const double rtol = dtype == kInt64 ? 0.0 : dtype == kFloat32 ? 1e-5 : 2 * rtol_for(dtype);
      check_close(out, expected, rtol, rtol);
    }
  }
  Tensor ints = zeros({2, 3}, {kInt32, "cuda"});
  REQUIRE_ERROR(cuda::sum_contiguous(ints.data_ptr(), ints.data_ptr(), kInt32, 2, 3),
                "sum: expected float32, float64, float16, bfloat16 or int64 on CUDA, got int32");
}

TEST_CASE("cuda: casts between every pair of dtypes match the CPU", "[cuda]") {
  if (!cuda_or_skip()) return;
  for (DType from : kAllDTypes) {
    // Values in [0, 3): every conversion is defined (no negative to uint8, no overflow).
    for (Tensor host : {make_tensor({5, 7}, from, 0.0, 3.0, 1), make_tensor({6, 5}, from, 0.0, 3.0, 2, Layout::Transposed)}) {
      Tensor device = host.to("cuda");
      for (DType to : kAllDTypes) {
        INFO(dtype_name(from) << " -> " << dtype_name(to));
        check_matches_cpu(device.to(to), host.to(to), 0.0);
      }
    }
  }
  Tensor special = tensor({0.0, -0.0, 0.5, NAN, INFINITY, 65504.0, 70000.0, 1e-8}, kFloat32);
  for (DType to : {kFloat16, kBFloat16, kFloat64, kBool}) {
    INFO("float32 -> " << dtype_name(to));
    check_matches_cpu(special.to("cuda").to(to), special.to(to), 0.0);
  }
}

TEST_CASE("cuda: fill_ writes every element of contiguous and strided tensors", "[cuda]") {
  if (!cuda_or_skip()) return;
  for (DType dtype : kAllDTypes) {
    INFO("dtype " << dtype_name(dtype));
    Tensor host = zeros({4, 6}, dtype), device = zeros({4, 6}, {dtype, "cuda"});
    device.fill_(2.5);
    host.fill_(2.5);
    check_matches_cpu(device, host, 0.0);
    // A strided view: only its elements change.
    Tensor view = device.slice(1, 0, 6, 2);
    view.fill_(1);
    host.slice(1, 0, 6, 2).fill_(1);
    check_matches_cpu(device, host, 0.0);
    check_matches_cpu(full({3, 2}, 7, {dtype, "cuda"}), full({3, 2}, 7, dtype), 0.0);
  }
}

TEST_CASE("cuda: the caching allocator reuses freed blocks", "[cuda]") {
  if (!cuda_or_skip()) return;
  cuda::synchronize();
  cuda::empty_cache();
  const AllocatorStats start = cuda::memory_stats();
  CHECK(start.cached_bytes == 0);
  { Tensor t = empty({1 << 18}, {kFloat32, "cuda"}); }  // 1 MiB back to the pool
  const AllocatorStats freed = cuda::memory_stats();
  CHECK(freed.allocated_bytes == start.allocated_bytes);
  CHECK(freed.cached_bytes >= (1 << 20));
  CHECK(freed.peak_allocated_bytes >= start.allocated_bytes + (1 << 20));
  {
    Tensor t = empty({1 << 18}, {kFloat32, "cuda"});
    const AllocatorStats reused = cuda::memory_stats();
    CHECK(reused.cache_hits == freed.cache_hits + 1);
    CHECK(reused.cache_misses == freed.cache_misses);
    CHECK(reused.cached_bytes == 0);
  }
  cuda::empty_cache();
  CHECK(cuda::memory_stats().cached_bytes == 0);
}

TEST_CASE("cuda: errors name the devices involved", "[cuda]") {
  if (!cuda_or_skip()) return;
  Tensor a = ones({2}), b = ones({2}, "cuda");
  REQUIRE_ERROR(a + b, "add: expected all tensors on the same device, got cpu and cuda:0");
  const int count = cuda::device_count();
  REQUIRE_ERROR(zeros({2}, Device(kCUDA, count)),
                "allocate: expected a CUDA device index in [0, " + std::to_string(count) + "), got cuda:" +
                    std::to_string(count));
  REQUIRE_ERROR(cuda::set_device(count), "cuda::set_device: expected a CUDA device index");
}
