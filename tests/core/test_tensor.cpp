// Tests core/tensor.h, core/storage.h and core/allocator.h: handles share
// data, metadata, typed access, the caching allocator.
#include "harness.h"

using namespace ember;

TEST_CASE("Tensor is a shared handle - clone copies values", "[tensor]") {
  Tensor a = zeros({2, 3});
  Tensor b = a;
  b.fill_(7);
  CHECK(a.to_vector<float>() == std::vector<float>(6, 7.0f));
  Tensor c = a.clone();
  c.fill_(1);
  CHECK(a.to_vector<float>()[0] == 7.0f);
  CHECK_FALSE(c.is_alias_of(a));
  CHECK(b.is_alias_of(a));
}

TEST_CASE("Tensor metadata", "[tensor]") {
  Tensor a = empty({2, 3, 4}, kFloat64);
  CHECK(a.dim() == 3);
  CHECK(a.numel() == 24);
  CHECK(a.size(-1) == 4);
  CHECK(a.stride(0) == 12);
  CHECK(a.dtype() == kFloat64);
  CHECK(a.device() == Device(kCPU));
  CHECK(a.is_contiguous());
  CHECK(a.nbytes() == 192);
  CHECK_FALSE(a.requires_grad());
  CHECK_FALSE(a.grad().defined());
  REQUIRE_ERROR(a.size(3), "size: dimension out of range");
  Tensor seven = zeros({1, 2, 1, 2, 1, 2, 2});  // past the 6 inline dims
  CHECK(seven.dim() == 7);
  CHECK(seven.numel() == 16);
  CHECK(seven.strides() == Shape{16, 8, 8, 4, 4, 2, 1});
  CHECK(seven.permute({6, 5, 4, 3, 2, 1, 0}).shape() == Shape{2, 2, 1, 2, 1, 2, 1});
}

TEST_CASE("data_ptr<T> and item check types and sizes", "[tensor]") {
  Tensor a = full({2}, 3, kInt32);
  CHECK(a.data_ptr<int32_t>()[1] == 3);
  REQUIRE_ERROR(a.data_ptr<float>(), "data_ptr: expected the tensor's dtype int32 as the element type, got float32");
  CHECK(full({}, 2.5).item<double>() == 2.5);
  CHECK(full({1, 1}, 4, kInt64).item<int64_t>() == 4);
  CHECK(full({}, true).item<bool>());
  REQUIRE_ERROR(a.item(), "item: expected a tensor with exactly one element, got 2 elements (shape [2])");
  REQUIRE_ERROR(Tensor().clone(), "clone: expected a defined tensor");
}

TEST_CASE("requires_grad_ only on floating tensors", "[tensor]") {
  Tensor a = zeros({2});
  CHECK(a.requires_grad_().requires_grad());
  REQUIRE_ERROR(zeros({2}, kInt64).requires_grad_(),
                "requires_grad_: only tensors of floating point dtype can require gradients, got int64");
}

TEST_CASE("the CPU allocator reuses freed big blocks", "[allocator]") {
  cpu::empty_cache();
  AllocatorStats before = cpu::allocator_stats();
  { Tensor a = empty({1 << 20}); }  // 4 MiB, cached on free
  AllocatorStats freed = cpu::allocator_stats();
  CHECK(freed.cached_bytes >= (4 << 20));
  { Tensor b = empty({1 << 20}); }
  AllocatorStats after = cpu::allocator_stats();
  CHECK(after.cache_hits == freed.cache_hits + 1);
  CHECK(after.cache_misses == before.cache_misses + 1);
  CHECK(after.peak_allocated_bytes >= (4 << 20));
  cpu::empty_cache();
  CHECK(cpu::allocator_stats().cached_bytes == 0);
  // The cache bound: beyond it, freed blocks go back to the system.
  cpu::set_cache_limit(1 << 20);
  { Tensor c = empty({1 << 20}); }
  CHECK(cpu::allocator_stats().cached_bytes == 0);
  cpu::set_cache_limit(size_t{2} << 30);
}

TEST_CASE("from_blob wraps foreign memory and runs the deleter", "[tensor]") {
  std::vector<float> data = {1, 2, 3, 4, 5, 6};
  bool deleted = false;
  {
    Tensor t = from_blob(data.data(), {2, 3}, {1, 2}, [&](void*) { deleted = true; }, kFloat32);
    CHECK(t.to_vector<float>() == std::vector<float>{1, 3, 5, 2, 4, 6});
    t.fill_(0);
    CHECK(data[5] == 0);
  }
  CHECK(deleted);
  REQUIRE_ERROR(from_blob(data.data(), {2, 3}, {1}, nullptr), "from_blob: expected as many strides as sizes");
}

TEST_CASE("parallel_for covers the range once and rethrows errors", "[parallel]") {
  std::vector<int> hits(100000, 0);
  parallel_for(0, 100000, 1000, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) hits[i]++;
  });
  CHECK(std::count(hits.begin(), hits.end(), 1) == 100000);
  REQUIRE_THROWS_WITH(parallel_for(0, 100000, 1000,
                                   [&](int64_t, int64_t) { throw Error(ErrorKind::Runtime, "boom"); }),
                      "boom");
  int saved = get_num_threads();
  set_num_threads(1);
  CHECK(get_num_threads() == 1);
  set_num_threads(saved);
  REQUIRE_ERROR(set_num_threads(0), "set_num_threads: expected a positive number of threads, got 0");
}
