// distributed/process_group.cpp under mpirun -np 2 and -np 3: every collective,
// op and dtype (float32, float64, int64), sizes 0, 1, odd and large, against
// values computed locally from every rank's inputs; the error messages.
#include "harness.h"

#include <ember/distributed/process_group.h>

#include <thread>

using namespace ember;
using namespace ember::distributed;
using ember::testing::values_of;

namespace {

// Rank r's input: small integers, so sums and products are exact in every dtype
// and the reduction order MPI picks cannot change the result.
double value(int rank, int64_t i) { return static_cast<double>((i * 7 + rank * 3) % 11) - 5.0; }
double product_value(int rank, int64_t i) { return static_cast<double>((i + rank) % 3) - 1.0 + (i % 2 == 0 ? 2 : 0); }

Tensor rank_tensor(int rank, int64_t n, DType dtype, bool for_product = false) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = for_product ? product_value(rank, i) : value(rank, i);
  return from_blob(v.data(), {n}, kFloat64).to(dtype).clone();  // clone: to() of the same dtype is the blob itself
}

std::vector<double> expected_reduce(int world, int64_t n, ReduceOp op) {
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double acc = op == ReduceOp::Product ? product_value(0, i) : value(0, i);
    for (int r = 1; r < world; ++r) {
      const double x = op == ReduceOp::Product ? product_value(r, i) : value(r, i);
      switch (op) {
        case ReduceOp::Sum: case ReduceOp::Avg: acc += x; break;
        case ReduceOp::Max: acc = std::max(acc, x); break;
        case ReduceOp::Min: acc = std::min(acc, x); break;
        case ReduceOp::Product: acc *= x; break;
      }
    }
    out[i] = op == ReduceOp::Avg ? acc / world : acc;
  }
  return out;
}

const DType kDTypes[] = {kFloat32, kFloat64, kInt64};
const int64_t kSizes[] = {0, 1, 7, (1 << 20) + 3};
const ReduceOp kOps[] = {ReduceOp::Sum, ReduceOp::Avg, ReduceOp::Max, ReduceOp::Min, ReduceOp::Product};

}  // namespace

TEST_CASE("init_process_group: rank, world size, local rank from the launcher", "[collectives]") {
  REQUIRE(is_initialized());
  ProcessGroup& g = default_group();
  REQUIRE(g.size() >= 1);
  REQUIRE(g.rank() >= 0);
  REQUIRE(g.rank() < g.size());
  REQUIRE(get_rank() == g.rank());
  REQUIRE(get_world_size() == g.size());
  REQUIRE(get_local_rank() == g.rank());  // one node
  REQUIRE_ERROR(init_process_group(Backend::MPI), "init_process_group: expected one call");
}

TEST_CASE("all_reduce: every op, dtype and size against local values", "[collectives]") {
  ProcessGroup& g = default_group();
  for (DType dtype : kDTypes) {
    for (int64_t n : kSizes) {
      for (ReduceOp op : kOps) {
        if (op == ReduceOp::Avg && dtype == kInt64) continue;  // an error, tested below
        INFO(dtype_name(dtype) << " n=" << n << " op=" << reduce_op_name(op));
        Tensor t = rank_tensor(g.rank(), n, dtype, op == ReduceOp::Product);
        g.all_reduce(t, op);
        REQUIRE(t.dtype() == dtype);
        REQUIRE(t.numel() == n);
        ember::testing::check_close(t, expected_reduce(g.size(), n, op), 1e-6, 1e-6);
      }
    }
  }
}

TEST_CASE("all_reduce: async forms overlap, is_completed, non-contiguous tensors", "[collectives]") {
  ProcessGroup& g = default_group();
  Tensor a = rank_tensor(g.rank(), 1001, kFloat32), b = rank_tensor(g.rank(), 5, kFloat64);
  Work wa = g.all_reduce_async(a, ReduceOp::Sum);
  Work wb = g.all_reduce_async(b, ReduceOp::Max);
  wb.wait();
  wa.wait();
  wa.wait();  // twice is fine
  REQUIRE(wa.is_completed());
  ember::testing::check_close(a, expected_reduce(g.size(), 1001, ReduceOp::Sum), 1e-6, 1e-6);
  ember::testing::check_close(b, expected_reduce(g.size(), 5, ReduceOp::Max), 1e-12, 0);
  REQUIRE_THAT(wa.what(), Catch::Contains("all_reduce(sum) of 1001 float32"));

  // A transposed view reduces through a contiguous copy and lands back in the view.
  Tensor base = rank_tensor(g.rank(), 12, kFloat64).reshape({3, 4});
  Tensor view = base.t();
  REQUIRE_FALSE(view.is_contiguous());
  g.all_reduce(view, ReduceOp::Sum);
  ember::testing::check_close(base.reshape({12}), expected_reduce(g.size(), 12, ReduceOp::Sum), 1e-12, 0);
  Tensor avg = rank_tensor(g.rank(), 12, kFloat32).reshape({3, 4}).t();
  g.all_reduce(avg, ReduceOp::Avg);
  ember::testing::check_close(avg.t().reshape({12}), expected_reduce(g.size(), 12, ReduceOp::Avg), 1e-6, 1e-6);
}

TEST_CASE("broadcast: from every root, every dtype and size", "[collectives]") {
  ProcessGroup& g = default_group();
  for (DType dtype : kDTypes) {
    for (int64_t n : kSizes) {
      for (int root = 0; root < g.size(); ++root) {
        Tensor t = rank_tensor(g.rank(), n, dtype);
        g.broadcast(t, root);
        ember::testing::check_close(t, values_of(rank_tensor(root, n, dtype)), 0, 0);
      }
    }
  }
  Tensor base = rank_tensor(g.rank(), 6, kFloat32).reshape({2, 3});
  Tensor view = base.t();
  g.broadcast(view, 0);
  ember::testing::check_close(base.reshape({6}), values_of(rank_tensor(0, 6, kFloat32)), 0, 0);
}

TEST_CASE("all_gather: every rank's tensor, every dtype and size", "[collectives]") {
  ProcessGroup& g = default_group();
  for (DType dtype : kDTypes) {
    for (int64_t n : kSizes) {
      Tensor input = rank_tensor(g.rank(), n, dtype).reshape({n, 1});
      std::vector<Tensor> outputs;
      for (int r = 0; r < g.size(); ++r) outputs.push_back(full({n, 1}, -99, dtype));
      g.all_gather(outputs, input);
      for (int r = 0; r < g.size(); ++r) {
        ember::testing::check_close(outputs[r].reshape({n}), values_of(rank_tensor(r, n, dtype)), 0, 0);
      }
    }
  }
}

TEST_CASE("reduce_scatter: rank r gets the reduction of every rank's inputs[r]", "[collectives]") {
  ProcessGroup& g = default_group();
  for (DType dtype : kDTypes) {
    for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{(1 << 18) + 1}}) {
      for (ReduceOp op : {ReduceOp::Sum, ReduceOp::Avg, ReduceOp::Max, ReduceOp::Min, ReduceOp::Product}) {
        if (op == ReduceOp::Avg && dtype == kInt64) continue;
        // inputs[j] on rank r: the values of "rank" r + j (distinct per chunk).
        std::vector<Tensor> inputs;
        for (int j = 0; j < g.size(); ++j) {
          inputs.push_back(rank_tensor(g.rank() + 10 * j, n, dtype, op == ReduceOp::Product));
        }
        Tensor out = empty({n}, dtype);
        g.reduce_scatter(out, inputs, op);
        std::vector<double> expected(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
          double acc = 0;
          for (int r = 0; r < g.size(); ++r) {
            const double x = op == ReduceOp::Product ? product_value(r + 10 * g.rank(), i) : value(r + 10 * g.rank(), i);
            if (r == 0) acc = x;
            else if (op == ReduceOp::Sum || op == ReduceOp::Avg) acc += x;
            else if (op == ReduceOp::Max) acc = std::max(acc, x);
            else if (op == ReduceOp::Min) acc = std::min(acc, x);
            else acc *= x;
          }
          expected[i] = op == ReduceOp::Avg ? acc / g.size() : acc;
        }
        INFO(dtype_name(dtype) << " n=" << n << " op=" << reduce_op_name(op));
        ember::testing::check_close(out, expected, 1e-6, 1e-6);
      }
    }
  }
}

TEST_CASE("barrier and send/recv around a ring, blocking and async", "[collectives]") {
  ProcessGroup& g = default_group();
  g.barrier();
  g.barrier_async().wait();
  if (g.size() < 2) return;
  const int next = (g.rank() + 1) % g.size(), previous = (g.rank() + g.size() - 1) % g.size();
  for (DType dtype : kDTypes) {
    for (int64_t n : kSizes) {
      Tensor out = rank_tensor(g.rank(), n, dtype);
      Tensor in = empty({n}, dtype);
      Work sent = g.send_async(out, next, /*tag=*/3);
      Work received = g.recv_async(in, previous, /*tag=*/3);
      received.wait();
      sent.wait();
      ember::testing::check_close(in, values_of(rank_tensor(previous, n, dtype)), 0, 0);
    }
  }
  // Blocking forms: rank 0 sends to rank 1.
  if (g.rank() == 0) g.send(full({3}, 7.0), 1);
  if (g.rank() == 1) {
    Tensor t = zeros({3});
    g.recv(t, 0);
    ember::testing::check_close(t, std::vector<double>{7, 7, 7}, 0, 0);
  }
  g.barrier();
}

TEST_CASE("collectives: errors name the collective, what was expected and the ranks", "[collectives]") {
  ProcessGroup& g = default_group();
  Tensor half = zeros({3}, kFloat16);
  REQUIRE_ERROR(g.all_reduce(half), "all_reduce: expected a dtype MPI carries");
  Tensor ints = zeros({3}, kInt64);
  REQUIRE_ERROR(g.all_reduce(ints, ReduceOp::Avg), "all_reduce: expected a floating dtype for ReduceOp::Avg, got int64");
  Tensor undefined;
  REQUIRE_ERROR(g.broadcast(undefined, 0), "broadcast: expected a defined tensor");
  Tensor t = zeros({2});
  REQUIRE_ERROR(g.broadcast(t, g.size()), "broadcast: expected a source rank in [0, ");
  std::vector<Tensor> too_few;
  REQUIRE_ERROR(g.all_gather(too_few, t), "all_gather: expected " + std::to_string(g.size()) + " output tensors");
  std::vector<Tensor> wrong_shape(static_cast<size_t>(g.size()), zeros({3}));
  REQUIRE_ERROR(g.all_gather(wrong_shape, t), "all_gather: expected output 0 to be [2] float32");
  REQUIRE_ERROR(g.send(t, g.rank()), "send: expected a destination rank");
  if (g.size() < 2) return;
  // A size that differs on one rank: every rank fails with the same message.
  Tensor mismatched = zeros({g.rank() == g.size() - 1 ? 5 : 4});
  REQUIRE_ERROR(g.all_reduce(mismatched),
                fmt::format("all_reduce: expected the same number of elements and dtype on every rank, got 4 float32 "
                            "on rank 0 and 5 float32 on rank {}",
                            g.size() - 1));
  Tensor dtypes = zeros({4}, g.rank() == 1 ? kFloat64 : kFloat32);
  REQUIRE_ERROR(g.broadcast(dtypes, 0), "got 4 float32 on rank 0 and 4 float64 on rank 1");
  // Different collectives at the same point.
  Tensor x = zeros({4});
  if (g.rank() == 0) {
    REQUIRE_ERROR(g.all_reduce(x), "all_reduce: expected every rank to call all_reduce, got broadcast on rank 1");
  } else {
    REQUIRE_ERROR(g.broadcast(x, 0), "broadcast: expected every rank to call all_reduce, got broadcast on rank 1");
  }
  Tensor y = zeros({4});
  REQUIRE_ERROR(g.broadcast(y, g.rank() == 0 ? 0 : 1), "broadcast: expected the same source rank on every rank");
  g.barrier();  // the group still works after those errors
  Tensor ok = ones({4});
  g.all_reduce(ok);
  ember::testing::check_close(ok, std::vector<double>(4, g.size()), 0, 0);
}

TEST_CASE("a wait past the group's timeout throws, naming the operation and the timeout", "[collectives]") {
  ProcessGroup& g = default_group();
  if (g.size() < 2) return;
  const Timeout saved = g.timeout();
  g.set_timeout(std::chrono::milliseconds(300));
  if (g.rank() == 0) {
    Tensor t = zeros({2});
    const auto start = std::chrono::steady_clock::now();
    REQUIRE_ERROR(g.recv(t, 1, /*tag=*/99), "recv of 2 float32 on rank 0 from rank 1 (tag 99), world size");
    REQUIRE_ERROR(g.recv(t, 1, /*tag=*/98), "timed out after 300 ms");
    REQUIRE(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
  g.set_timeout(saved);
  g.barrier();
  // Complete the two receives left posted, so nothing dangles.
  if (g.rank() == 1) {
    g.send(zeros({2}), 0, 99);
    g.send(zeros({2}), 0, 98);
  }
  g.barrier();
}

TEST_CASE("NCCL: CUDA tensors through a Backend::NCCL group (skips without a GPU)", "[collectives]") {
  if (!cuda::is_available()) {
    // Without a device the group refuses to start, with a reason; every rank alike.
    REQUIRE_THROWS_WITH(ProcessGroup(Backend::NCCL, std::chrono::seconds(10)),
                        Catch::Contains("init_process_group(Backend::NCCL): ") &&
                            (Catch::Contains("built without NCCL") || Catch::Contains("expected a CUDA device")));
    WARN("NCCL collectives skipped: no CUDA device here");
    return;
  }
  ProcessGroup g(Backend::NCCL, std::chrono::seconds(60));
  for (DType dtype : kDTypes) {
    for (int64_t n : kSizes) {
      for (ReduceOp op : kOps) {
        if (op == ReduceOp::Avg && dtype == kInt64) continue;
        INFO("cuda " << dtype_name(dtype) << " n=" << n << " op=" << reduce_op_name(op));
        Tensor t = rank_tensor(g.rank(), n, dtype, op == ReduceOp::Product).to(Device::cuda());
        g.all_reduce(t, op);
        ember::testing::check_close(t.to(kCPU), expected_reduce(g.size(), n, op), 1e-6, 1e-6);
      }
      Tensor b = rank_tensor(g.rank(), n, dtype).to(Device::cuda());
      g.broadcast(b, 0);
      ember::testing::check_close(b.to(kCPU), values_of(rank_tensor(0, n, dtype)), 0, 0);
      std::vector<Tensor> outputs;
      for (int r = 0; r < g.size(); ++r) outputs.push_back(empty({n}, TensorOptions{dtype, Device::cuda()}));
      g.all_gather(outputs, rank_tensor(g.rank(), n, dtype).to(Device::cuda()));
      for (int r = 0; r < g.size(); ++r) {
        ember::testing::check_close(outputs[r].to(kCPU), values_of(rank_tensor(r, n, dtype)), 0, 0);
      }
    }
  }
}
