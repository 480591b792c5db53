// Datasets: the Dataset interface (size + get, and get_batch for a whole batch
// at once), TensorDataset over in-memory tensors, Subset and random_split.
// Loading order, batching and threads belong to nn/data/dataloader.h.
#pragma once

#include <ember/core/tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace ember::data {

// One sample, or a batch of them stacked along dim 0. `target` may be undefined
// for datasets without labels.
struct Example {
  Tensor data;
  Tensor target;
};

// What a DataLoader reads. get and get_batch are const and must be safe to call
// from several threads at once: DataLoader workers call them concurrently.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // Sample `index`, 0 <= index < size().
  virtual Example get(int64_t index) const = 0;
  // A whole batch, samples stacked along dim 0. The default stacks get(i) for
  // each index; datasets that hold their samples in one tensor override it with
  // one gather, which is what makes an epoch cheap.
  virtual Example get_batch(const std::vector<int64_t>& indices) const;
};

// Rows of `data` and `targets` along dim 0, as in torch.utils.data.TensorDataset.
// get returns views of one row; get_batch gathers rows with index_select.
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor data, Tensor targets);
  int64_t size() const override { return data_.size(0); }
  Example get(int64_t index) const override;
  Example get_batch(const std::vector<int64_t>& indices) const override;
  const Tensor& data() const { return data_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor data_, targets_;
};

// The samples of `dataset` at `indices`, in that order (repeats allowed), as in
// torch.utils.data.Subset. get_batch maps the indices and calls the parent's
// get_batch, so a subset of a fast dataset stays fast.
class Subset : public Dataset {
 public:
  Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  Example get_batch(const std::vector<int64_t>& indices) const override;
  const std::shared_ptr<const Dataset>& dataset() const { return dataset_; }
  const std::vector<int64_t>& indices() const { return indices_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> indices_;
};

// Splits a random permutation of dataset's indices into consecutive subsets of
// `lengths` (which must sum to dataset->size()). The permutation depends only
// on (seed, dataset->size()), never on the global generator, so a split is
// reproducible across runs and threads.
std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                  const std::vector<int64_t>& lengths, uint64_t seed);

// Which samples an epoch visits, in which order, when DataLoaderOptions::sampler
// is set (as torch.utils.data.Sampler): DataLoader asks indices() once at the
// start of every epoch and batches them in that order. A sampler with epochs of
// its own (distributed::DistributedSampler) is told the epoch by its set_epoch.
class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::vector<int64_t> indices() const = 0;
  virtual int64_t size() const = 0;  // indices().size()
};

// A permutation of [0, n) drawn with Philox from (seed, stream): the shuffles
// of random_split (stream 0) and of DataLoader epochs (stream = epoch + 1).
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed, uint64_t stream);

}  // namespace ember::data
