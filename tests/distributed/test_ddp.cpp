// distributed/ddp.cpp under mpirun -np 2 (and 3): DDP on each rank's share of a
// batch gives what one process gets on the whole batch (MLP; CNN with
// BatchNorm), buckets and the overlap of their reductions with backward,
// no_sync, unused parameters, and the model check at construction.
#include "harness.h"

#include <ember/distributed/distributed.h>

#include <fmt/ranges.h>

#include <algorithm>

using namespace ember;
using namespace ember::distributed;
namespace F = ember::nn::functional;

namespace {

std::shared_ptr<nn::Module> make_mlp() {
  return std::make_shared<nn::Sequential>(nn::Linear(6, 16), nn::ReLU(), nn::Linear(16, 8), nn::Tanh(),
                                          nn::Linear(8, 3));
}

std::shared_ptr<nn::Module> make_cnn() {
  return std::make_shared<nn::Sequential>(nn::Conv2d(2, 4, 3), nn::BatchNorm2d(4), nn::ReLU(), nn::Flatten(),
                                          nn::Linear(4 * 4 * 4, 3));
}

// The relative difference of two tensors, max over elements (|a - b| / max(|b|, 1e-3)).
double max_relative(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  REQUIRE(x.size() == y.size());
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]) / std::max(std::abs(y[i]), 1e-3));
  return worst;
}

enum class Opt { SGD, Adam };

std::unique_ptr<optim::Optimizer> make_optimizer(Opt which, const std::vector<Tensor>& params) {
  if (which == Opt::SGD) return std::make_unique<optim::SGD>(params, optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
  return std::make_unique<optim::Adam>(params, optim::AdamOptions{.lr = 1e-2});
}

// 10 steps of DDP on this rank's rows of each batch against, in this same
// process, one model on the whole batch. Each rank starts from different
// weights (seed = rank): DDP must broadcast rank 0's. With BatchNorm the
// reference runs the per-rank halves as separate forwards (as DDP, without
// SyncBatchNorm, normalises each replica's share by its own statistics) and
// keeps the running statistics of rank 0's share (DDP broadcasts rank 0's).
void check_equivalence(std::shared_ptr<nn::Module> (*make)(), Shape input_shape, Opt which, bool batch_norm) {
  ProcessGroup& g = default_group();
  const int64_t per_rank = 4, batch = per_rank * g.size();
  manual_seed(100 + g.rank());
  auto model = make();
  model->to(kFloat64);
  DistributedDataParallel ddp(model);
  auto reference = make();
  reference->to(kFloat64);
  reference->load_state_dict(model->state_dict());
  auto opt = make_optimizer(which, ddp.parameters());
  auto ref_opt = make_optimizer(which, reference->parameters());
  for (int step = 0; step < 10; ++step) {
    manual_seed(1000 + step);  // the same batch on every rank
    std::vector<int64_t> shape = {batch};
    shape.insert(shape.end(), input_shape.begin(), input_shape.end());
    Tensor x = randn(shape, kFloat64);
    Tensor y = randint(0, 3, {batch});
    Tensor loss = F::cross_entropy(ddp.forward(x.narrow(0, g.rank() * per_rank, per_rank)),
                                   y.narrow(0, g.rank() * per_rank, per_rank));
    opt->zero_grad();
    loss.backward();
    ddp.finalize();
    opt->step();

    ref_opt->zero_grad();
    Tensor ref_loss;
    if (batch_norm) {
      nn::StateDict rank0_buffers;
      for (int r = 0; r < g.size(); ++r) {
        Tensor part = F::cross_entropy(reference->forward(x.narrow(0, r * per_rank, per_rank)),
                                       y.narrow(0, r * per_rank, per_rank));
        ref_loss = r == 0 ? part : ref_loss + part;
        if (r == 0) {
          for (const auto& [name, b] : reference->named_buffers()) rank0_buffers.emplace_back(name, b.clone());
        }
      }
      ref_loss = ref_loss / static_cast<double>(g.size());
      NoGradGuard no_grad;
      for (const auto& [name, b] : reference->named_buffers()) Tensor(b).copy_(*nn::find(rank0_buffers, name));
    } else {
      ref_loss = F::cross_entropy(reference->forward(x), y);
    }
    ref_loss.backward();
    ref_opt->step();
  }
  const nn::StateDict got = model->named_parameters(), expected = reference->named_parameters();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO(got[i].first << " on rank " << g.rank());
    REQUIRE(max_relative(got[i].second, expected[i].second) < 1e-6);
  }
  if (g.rank() == 0) {
    for (const auto& [name, b] : model->named_buffers()) {
      INFO(name);
      REQUIRE(max_relative(b, *nn::find(reference->named_buffers(), name)) < 1e-6);
    }
  }
}

}  // namespace

TEST_CASE("DDP: an MLP on 1/N of each batch per rank equals one process on the whole batch (SGD, Adam)", "[ddp]") {
  check_equivalence(make_mlp, {6}, Opt::SGD, /*batch_norm=*/false);
  check_equivalence(make_mlp, {6}, Opt::Adam, /*batch_norm=*/false);
}

TEST_CASE("DDP: a CNN with BatchNorm equals one process (SGD, Adam)", "[ddp]") {
  check_equivalence(make_cnn, {2, 6, 6}, Opt::SGD, /*batch_norm=*/true);
  check_equivalence(make_cnn, {2, 6, 6}, Opt::Adam, /*batch_norm=*/true);
}

TEST_CASE("DDP: buckets in reverse registration order, the first small", "[ddp]") {
  // 3 layers of 64x1024 float32 weights = 256 KiB each; a bucket closes once it holds its cap.
  auto model = std::make_shared<nn::Sequential>(nn::Linear(1024, 64), nn::Linear(64, 1024), nn::Linear(1024, 64));
  DistributedDataParallel ddp(model, {.bucket_cap_mb = 0.5, .first_bucket_cap_mb = 0.2});
  const auto buckets = ddp.bucket_names();
  REQUIRE(buckets.size() == 2);
  REQUIRE(buckets[0] == std::vector<std::string>{"module.2.bias", "module.2.weight"});
  REQUIRE(buckets[1] == std::vector<std::string>{"module.1.bias", "module.1.weight", "module.0.bias", "module.0.weight"});
  DistributedDataParallel small(model, {.bucket_cap_mb = 0.25, .first_bucket_cap_mb = 0.2});
  REQUIRE(small.bucket_names().size() == 3);
  REQUIRE(small.bucket_names()[1] == std::vector<std::string>{"module.1.bias", "module.1.weight"});
  REQUIRE(small.bucket_names()[2] == std::vector<std::string>{"module.0.bias", "module.0.weight"});
  // The default: 25 MiB buckets after a 1 MiB first one (the 1 MiB weight of layer 1 closes it).
  DistributedDataParallel defaults(
      std::make_shared<nn::Sequential>(nn::Linear(1024, 512), nn::Linear(512, 512), nn::Linear(512, 10)));
  REQUIRE(defaults.bucket_names().size() == 2);
  REQUIRE(defaults.bucket_names()[0] ==
          std::vector<std::string>{"module.2.bias", "module.2.weight", "module.1.bias", "module.1.weight"});
  REQUIRE(defaults.bucket_names()[1] == std::vector<std::string>{"module.0.bias", "module.0.weight"});
}

TEST_CASE("DDP: the first bucket's all-reduce is launched while backward is still running", "[ddp]") {
  ProcessGroup& g = default_group();
  auto model = std::make_shared<nn::Sequential>(nn::Linear(32, 256), nn::ReLU(), nn::Linear(256, 256), nn::ReLU(),
                                                nn::Linear(256, 4));
  DistributedDataParallel ddp(model, {.bucket_cap_mb = 0.1, .first_bucket_cap_mb = 0.001, .record_events = true});
  REQUIRE(ddp.bucket_names().size() >= 3);
  manual_seed(g.rank());
  Tensor loss = ddp.forward(randn({8, 32})); loss = (loss * loss).mean();
  loss.backward();
  const std::vector<std::string>& events = ddp.events();
  auto first = [&](const std::string& e) { return std::find(events.begin(), events.end(), e) - events.begin(); };
  const auto last_grad = std::find_if(events.rbegin(), events.rend(), [](const std::string& e) {
                           return e.rfind("grad ", 0) == 0;
                         }).base() - events.begin() - 1;
  INFO(fmt::format("{}", fmt::join(events, ", ")));
  REQUIRE(events.front() == "grad module.4.bias");
  REQUIRE(first("launch bucket 0") < first("grad module.0.weight"));  // launched before backward reached layer 0
  REQUIRE(first("launch bucket 0") < last_grad);
  REQUIRE(first("finalize") > last_grad);
  REQUIRE(events.back() == "finalize");  // backward finalised by itself: every parameter got its gradient
  // The gradients are the average over ranks: all ranks hold the same.
  for (const Tensor& p : ddp.parameters()) {
    Tensor mine = p.grad().clone();
    Tensor max = mine.clone();
    g.all_reduce(max, ReduceOp::Max);
    REQUIRE(max_relative(mine, max) == 0);
  }
}

namespace {
// A float64 Linear(3, 2), the same on every rank.
std::shared_ptr<nn::Linear> seeded_linear(uint64_t seed) {
  manual_seed(seed);
  auto model = std::make_shared<nn::Linear>(3, 2);
  model->to(kFloat64);
  return model;
}
}  // namespace

TEST_CASE("DDP: no_sync accumulates locally, the next synced backward averages the sum", "[ddp]") {
  ProcessGroup& g = default_group();
  auto model = seeded_linear(5);
  DistributedDataParallel ddp(model);
  Tensor x1 = full({1, 3}, 1.0 + g.rank(), kFloat64), x2 = full({1, 3}, 10.0 * (1 + g.rank()), kFloat64);
  {
    auto guard = ddp.no_sync();
    ddp.forward(x1).sum().backward();
  }
  // Local only: rank r's weight gradient is its own x1.
  ember::testing::check_close(model->weight.grad(), full({2, 3}, 1.0 + g.rank(), kFloat64), 0, 0);
  ddp.forward(x2).sum().backward();
  ddp.finalize();
  double expected = 0;
  for (int r = 0; r < g.size(); ++r) expected += (1.0 + r) + 10.0 * (1 + r);
  expected /= g.size();
  ember::testing::check_close(model->weight.grad(), full({2, 3}, expected, kFloat64), 1e-12, 0);
}

TEST_CASE("DDP: gradients are views into their buckets; zeroed in place they accumulate there", "[ddp]") {
  ProcessGroup& g = default_group();
  auto model = seeded_linear(6);
  DistributedDataParallel ddp(model);
  optim::SGD opt(ddp.parameters(), {.lr = 0.0});
  double mean_x = 0;  // the average over ranks of each rank's input value
  for (int r = 0; r < g.size(); ++r) mean_x += (1.0 + r) / g.size();
  Tensor first;
  for (int iteration = 1; iteration <= 3; ++iteration) {
    opt.zero_grad(/*set_to_none=*/iteration == 1);  // later iterations accumulate into the bucket views themselves
    ddp.forward(full({1, 3}, iteration * (1.0 + g.rank()), kFloat64)).sum().backward();
    ddp.finalize();
    ember::testing::check_close(model->weight.grad(), full({2, 3}, iteration * mean_x, kFloat64), 1e-12, 0);
    if (iteration == 1) first = model->weight.grad();
    REQUIRE(model->weight.grad().data_ptr() == first.data_ptr());  // the same slot of the same bucket
    // One bucket, in reverse registration order: the bias's 2 values, then the weight's 6.
    REQUIRE(static_cast<double*>(model->bias.grad().data_ptr()) + 2 == model->weight.grad().data_ptr());
  }
}

namespace {
struct TwoHeads : nn::Module {
  std::shared_ptr<nn::Linear> used = register_module("used", std::make_shared<nn::Linear>(4, 2));
  std::shared_ptr<nn::Linear> unused = register_module("unused", std::make_shared<nn::Linear>(4, 2));
  Tensor forward(const Tensor& x) override { return used->forward(x); }
};
}  // namespace

TEST_CASE("DDP: a parameter without a gradient is an error naming it, unless find_unused_parameters", "[ddp]") {
  {
    DistributedDataParallel ddp(std::make_shared<TwoHeads>());
    ddp.forward(ones({2, 4})).sum().backward();
    REQUIRE_ERROR(ddp.finalize(), "DistributedDataParallel: parameter 'module.unused.weight' received no gradient");
  }
  {
    auto model = std::make_shared<TwoHeads>();
    DistributedDataParallel ddp(model, {.find_unused_parameters = true});
    ddp.forward(ones({2, 4})).sum().backward();
    ddp.finalize();
    ember::testing::check_close(model->unused->weight.grad(), zeros({2, 4}), 0, 0);
    ember::testing::check_close(model->used->bias.grad(), ones({2}) * 2.0, 0, 0);
  }
}

TEST_CASE("DDP: rank 0's weights and buffers everywhere; buffers again before each forward", "[ddp]") {
  ProcessGroup& g = default_group();
  manual_seed(42 + g.rank());
  auto model = make_cnn();
  DistributedDataParallel ddp(model);
  for (const auto& [name, p] : ddp.named_parameters()) {
    Tensor max = p.detach().clone(), min = p.detach().clone();
    g.all_reduce(max, ReduceOp::Max);
    g.all_reduce(min, ReduceOp::Min);
    INFO(name);
    REQUIRE(max_relative(max, min) == 0);
  }
  // Rank-dependent running statistics are replaced by rank 0's at the next forward.
  {
    NoGradGuard no_grad;
    for (Tensor b : model->buffers()) {
      if (b.is_floating_point()) b.fill_(static_cast<double>(g.rank()));
    }
  }
  ddp.eval();
  {
    NoGradGuard no_grad;
    ddp.forward(zeros({1, 2, 6, 6}));
  }
  for (const Tensor& b : model->buffers()) {
    if (b.is_floating_point()) ember::testing::check_close(b, zeros(b.shape()), 0, 0);
  }
}

TEST_CASE("DDP: a model that differs on one rank fails at construction on every rank, naming it", "[ddp]") {
  ProcessGroup& g = default_group();
  const int odd = g.size() - 1;
  auto model = std::make_shared<nn::Sequential>(nn::Linear(4, g.rank() == odd ? 5 : 3), nn::Linear(g.rank() == odd ? 5 : 3, 2));
  if (g.size() == 1) return;
  REQUIRE_ERROR(DistributedDataParallel(model),
                fmt::format("DistributedDataParallel: expected the same parameters and buffers on every rank, got "
                            "parameter '0.weight' [3, 4] float32 on rank 0 and parameter '0.weight' [5, 4] float32 on "
                            "rank {}",
                            odd));
  auto dtype_model = std::make_shared<nn::Linear>(2, 2);
  if (g.rank() == odd) dtype_model->to(kFloat64);
  REQUIRE_ERROR(DistributedDataParallel(dtype_model), "parameter 'weight' [2, 2] float64 on rank");
  g.barrier();
}
