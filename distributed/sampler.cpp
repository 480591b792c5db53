// DistributedSampler: padding/cutting to a multiple of the replicas and the
// strided split, PyTorch's arithmetic (see distributed/sampler.h).
#include <ember/distributed/sampler.h>

#include <ember/core/error.h>
#include <ember/distributed/process_group.h>

#include <numeric>

namespace ember::distributed {

DistributedSampler::DistributedSampler(int64_t dataset_size, DistributedSamplerOptions options)
    : dataset_size_(dataset_size), options_(options) {
  EMBER_CHECK_VALUE(dataset_size >= 0, "DistributedSampler: expected dataset_size >= 0, got {}", dataset_size);
  if (options_.num_replicas < 0) options_.num_replicas = get_world_size();
  if (options_.rank < 0) options_.rank = get_rank();
  EMBER_CHECK_VALUE(options_.num_replicas >= 1, "DistributedSampler: expected num_replicas >= 1, got {}",
                    options_.num_replicas);
  EMBER_CHECK_VALUE(options_.rank < options_.num_replicas,
                    "DistributedSampler: expected a rank in [0, {}), got {}", options_.num_replicas, options_.rank);
  const int64_t replicas = options_.num_replicas;
  if (options_.drop_last && dataset_size % replicas != 0) {
    num_samples_ = (dataset_size - replicas + replicas - 1) / replicas;  // ceil((n - R) / R): drop the tail
    if (num_samples_ < 0) num_samples_ = 0;
  } else {
    num_samples_ = (dataset_size + replicas - 1) / replicas;
  }
}

void DistributedSampler::set_epoch(int64_t epoch) {
  EMBER_CHECK_VALUE(epoch >= 0, "DistributedSampler::set_epoch: expected a non-negative epoch, got {}", epoch);
  epoch_ = epoch;
}

std::vector<int64_t> DistributedSampler::indices() const {
  std::vector<int64_t> order;
  if (options_.shuffle) {
    // Stream epoch + 1, as DataLoader's (Note [Shuffle streams] in nn/data/dataset.cpp).
    order = data::seeded_permutation(dataset_size_, options_.seed, static_cast<uint64_t>(epoch_) + 1);
  } else {
    order.resize(static_cast<size_t>(dataset_size_));
    std::iota(order.begin(), order.end(), int64_t{0});
  }
  const int64_t total = num_samples_ * options_.num_replicas;
  if (static_cast<int64_t>(order.size()) < total) {
    // Pad with the first indices again (cyclically when the set is tiny), so every rank gets as many.
    const int64_t n = static_cast<int64_t>(order.size());
    for (int64_t i = 0; n > 0 && static_cast<int64_t>(order.size()) < total; ++i) order.push_back(order[i % n]);
  }
  order.resize(static_cast<size_t>(total));
  std::vector<int64_t> mine;
  mine.reserve(static_cast<size_t>(num_samples_));
  for (int64_t i = options_.rank; i < total; i += options_.num_replicas) mine.push_back(order[i]);
  return mine;
}

}  // namespace ember::distributed
