// DistributedSampler: each rank's share of a data set, as
// torch.utils.data.distributed.DistributedSampler: the (shuffled) indices are
// padded (or, drop_last, cut) to a multiple of num_replicas and rank r takes
// every num_replicas-th one from r. Plugs into DataLoaderOptions::sampler.
#pragma once

#include <ember/nn/data/dataset.h>

#include <cstdint>
#include <vector>

namespace ember::distributed {

struct DistributedSamplerOptions {
  int num_replicas = -1;  // -1: the default group's world size
  int rank = -1;          // -1: the default group's rank
  bool shuffle = true;    // a permutation of (seed, epoch), the same on every rank
  uint64_t seed = 0;
  bool drop_last = false;  // cut the tail instead of padding with repeated samples
};

class DistributedSampler : public data::Sampler {
 public:
  explicit DistributedSampler(int64_t dataset_size, DistributedSamplerOptions options = {});
  // This rank's indices for the current epoch. With shuffle, the permutation is
  // DataLoader's own for (seed, epoch): one replica visits what a shuffling
  // DataLoader with the same seed would.
  std::vector<int64_t> indices() const override;
  int64_t size() const override { return num_samples_; }
  // Call before each epoch's loop, or every epoch repeats epoch 0's order.
  void set_epoch(int64_t epoch);
  int64_t epoch() const { return epoch_; }
  int num_replicas() const { return options_.num_replicas; }
  int rank() const { return options_.rank; }

 private:
  int64_t dataset_size_;
  DistributedSamplerOptions options_;
  int64_t num_samples_ = 0;  // per rank
  int64_t epoch_ = 0;
};

}  // namespace ember::distributed
