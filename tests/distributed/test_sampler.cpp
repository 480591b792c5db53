// distributed/sampler.cpp: PyTorch's DistributedSampler arithmetic (padding,
// drop_last, strided split), epochs, and the DataLoader's sampler option.
#include "harness.h"

#include <ember/distributed/sampler.h>

#include <algorithm>
#include <set>

using namespace ember;
using distributed::DistributedSampler;

TEST_CASE("DistributedSampler: PyTorch's split without shuffle", "[sampler]") {
  // torch.utils.data.DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=False)
  const std::vector<std::vector<int64_t>> expected = {{0, 3, 6, 9}, {1, 4, 7, 0}, {2, 5, 8, 1}};
  for (int r = 0; r < 3; ++r) {
    DistributedSampler s(10, {.num_replicas = 3, .rank = r, .shuffle = false});
    REQUIRE(s.size() == 4);
    REQUIRE(s.indices() == expected[r]);
  }
  // drop_last=True: 9 of 10, every rank 3.
  const std::vector<std::vector<int64_t>> dropped = {{0, 3, 6}, {1, 4, 7}, {2, 5, 8}};
  for (int r = 0; r < 3; ++r) {
    DistributedSampler s(10, {.num_replicas = 3, .rank = r, .shuffle = false, .drop_last = true});
    REQUIRE(s.size() == 3);
    REQUIRE(s.indices() == dropped[r]);
  }
  // Fewer samples than replicas: padded cyclically; with drop_last, nothing.
  REQUIRE(DistributedSampler(2, {.num_replicas = 5, .rank = 4, .shuffle = false}).indices() == std::vector<int64_t>{0});
  REQUIRE(DistributedSampler(2, {.num_replicas = 5, .rank = 4, .shuffle = false, .drop_last = true}).size() == 0);
  REQUIRE(DistributedSampler(0, {.num_replicas = 2, .rank = 1}).indices().empty());
}

TEST_CASE("DistributedSampler: shuffled shares cover the data set once per epoch and change with set_epoch", "[sampler]") {
  const int64_t n = 1000;
  std::vector<int64_t> epoch0_rank0;
  for (int64_t epoch : {0, 1}) {
    std::multiset<int64_t> seen;
    for (int r = 0; r < 4; ++r) {
      DistributedSampler s(n, {.num_replicas = 4, .rank = r, .seed = 7});
      s.set_epoch(epoch);
      const std::vector<int64_t> mine = s.indices();
      REQUIRE(static_cast<int64_t>(mine.size()) == 250);
      seen.insert(mine.begin(), mine.end());
      if (r == 0 && epoch == 0) epoch0_rank0 = mine;
      if (r == 0 && epoch == 1) REQUIRE(mine != epoch0_rank0);
      REQUIRE(s.indices() == mine);  // a function of (seed, epoch) only
    }
    REQUIRE(static_cast<int64_t>(seen.size()) == n);
    REQUIRE(std::set<int64_t>(seen.begin(), seen.end()).size() == static_cast<size_t>(n));
  }
  // One replica visits what a shuffling DataLoader with the same seed visits.
  DistributedSampler one(n, {.num_replicas = 1, .rank = 0, .seed = 7});
  one.set_epoch(3);
  REQUIRE(one.indices() == data::seeded_permutation(n, 7, 4));
}

TEST_CASE("DistributedSampler: errors", "[sampler]") {
  REQUIRE_ERROR(DistributedSampler(10, {.num_replicas = 2, .rank = 2}), "DistributedSampler: expected a rank in [0, 2), got 2");
  REQUIRE_ERROR(DistributedSampler(10, {.num_replicas = 0, .rank = 0}), "DistributedSampler: expected num_replicas >= 1, got 0");
  REQUIRE_ERROR(DistributedSampler(-1, {.num_replicas = 1, .rank = 0}), "expected dataset_size >= 0, got -1");
  DistributedSampler s(10, {.num_replicas = 1, .rank = 0});
  REQUIRE_ERROR(s.set_epoch(-1), "set_epoch: expected a non-negative epoch, got -1");
}

TEST_CASE("DataLoader with a DistributedSampler: this rank's batches, in the sampler's order", "[sampler]") {
  auto dataset = std::make_shared<data::TensorDataset>(arange(10, kInt64), arange(10, kInt64) * 10);
  auto sampler = std::make_shared<DistributedSampler>(10, distributed::DistributedSamplerOptions{
                                                              .num_replicas = 3, .rank = 1, .shuffle = false});
  data::DataLoader loader(dataset, {.batch_size = 3, .sampler = sampler});
  REQUIRE(loader.size() == 2);
  std::vector<int64_t> got;
  for (const data::Example& batch : loader) {
    for (int64_t v : batch.data.to_vector<int64_t>()) got.push_back(v);
  }
  REQUIRE(got == std::vector<int64_t>{1, 4, 7, 0});
  // Shuffled: set_epoch before each epoch changes what the loader yields.
  auto shuffled = std::make_shared<DistributedSampler>(10, distributed::DistributedSamplerOptions{.num_replicas = 2, .rank = 0});
  data::DataLoader epochs(dataset, {.batch_size = 5, .sampler = shuffled});
  std::vector<std::vector<int64_t>> per_epoch;
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    shuffled->set_epoch(epoch);
    per_epoch.emplace_back();
    for (const data::Example& batch : epochs) {
      for (int64_t v : batch.data.to_vector<int64_t>()) per_epoch.back().push_back(v);
    }
    REQUIRE(per_epoch.back() == shuffled->indices());
  }
  REQUIRE(per_epoch[0] != per_epoch[1]);
  REQUIRE_ERROR(data::DataLoader(dataset, {.shuffle = true, .sampler = sampler}),
                "DataLoader: expected shuffle = false with a sampler");
}
