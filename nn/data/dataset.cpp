// Dataset's default get_batch, TensorDataset, Subset, random_split and the
// seeded permutation behind every shuffle in ember::data. Indices are checked
// here, before any tensor is touched.
#include <ember/core/philox.h>
#include <ember/nn/data/dataset.h>
#include <ember/ops/ops.h>

#include <numeric>
#include <utility>

namespace ember::data {
namespace {

void check_index(const char* where, int64_t index, int64_t size) {
  EMBER_CHECK_INDEX(index >= 0 && index < size, "{}: expected an index in [0, {}), got {}", where, size, index);
}

Tensor index_tensor(const std::vector<int64_t>& indices) {
  // from_blob does not copy: the vector outlives every use (index_select copies rows out).
  return from_blob(const_cast<int64_t*>(indices.data()), {static_cast<int64_t>(indices.size())}, kInt64);
}

}  // namespace

Example Dataset::get_batch(const std::vector<int64_t>& indices) const {
  EMBER_CHECK(!indices.empty(), "Dataset::get_batch: expected at least one index, got none");
  std::vector<Tensor> data, targets;
  data.reserve(indices.size());
  targets.reserve(indices.size());
  bool with_targets = false;
  for (int64_t index : indices) {
    Example e = get(index);
    if (data.empty()) with_targets = e.target.defined();
    EMBER_CHECK(e.data.defined(), "Dataset::get_batch: expected get({}) to return defined data, got an undefined tensor",
                index);
    EMBER_CHECK(e.target.defined() == with_targets,
                "Dataset::get_batch: expected every sample to have a target or none to, got a mix at index {}", index);
    data.push_back(std::move(e.data));
    if (with_targets) targets.push_back(std::move(e.target));
  }
  return {stack(data), with_targets ? stack(targets) : Tensor()};
}

TensorDataset::TensorDataset(Tensor data, Tensor targets) : data_(std::move(data)), targets_(std::move(targets)) {
  EMBER_CHECK(data_.defined() && targets_.defined(), "TensorDataset: expected defined data and targets, got {} and {}",
              data_.defined() ? "defined" : "undefined", targets_.defined() ? "defined" : "undefined");
  EMBER_CHECK(data_.dim() >= 1 && targets_.dim() >= 1,
              "TensorDataset: expected data and targets with at least 1 dim (samples along dim 0), got shapes {} and {}",
              data_.shape(), targets_.shape());
  EMBER_CHECK(data_.size(0) == targets_.size(0),
              "TensorDataset: expected data and targets with the same size along dim 0, got shapes {} and {}",
              data_.shape(), targets_.shape());
}

Example TensorDataset::get(int64_t index) const {
  check_index("TensorDataset::get", index, size());
  return {data_.select(0, index), targets_.select(0, index)};
}

Example TensorDataset::get_batch(const std::vector<int64_t>& indices) const {
  for (int64_t index : indices) check_index("TensorDataset::get_batch", index, size());
  const Tensor idx = index_tensor(indices);
  return {data_.index_select(0, idx), targets_.index_select(0, idx)};
}

Subset::Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  EMBER_CHECK(dataset_ != nullptr, "Subset: expected a dataset, got nullptr");
  const int64_t n = dataset_->size();
  for (int64_t index : indices_) check_index("Subset", index, n);
}

Example Subset::get(int64_t index) const {
  check_index("Subset::get", index, size());
  return dataset_->get(indices_[static_cast<size_t>(index)]);
}

Example Subset::get_batch(const std::vector<int64_t>& indices) const {
  std::vector<int64_t> mapped;
  mapped.reserve(indices.size());
  for (int64_t index : indices) {
    check_index("Subset::get_batch", index, size());
    mapped.push_back(indices_[static_cast<size_t>(index)]);
  }
  return dataset_->get_batch(mapped);
}

std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed, uint64_t stream) {
  // Note [Shuffle streams]: stream s draws from Philox counters starting at s << 40,
  // so the streams of different epochs (and of random_split) never share a
  // counter as long as n < 2^41 (two Fisher-Yates steps per counter).
  constexpr int64_t kMaxN = int64_t{1} << 40;
  EMBER_CHECK(n >= 0 && n <= kMaxN, "seeded_permutation: expected 0 <= n <= 2^40, got {}", n);
  EMBER_CHECK(stream < (uint64_t{1} << 24), "seeded_permutation: expected stream < 2^24, got {}", stream);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  const uint64_t offset = stream << 40;
  // Fisher-Yates, as randperm: step i swaps perm[i] with perm[j], j uniform in [0, i].
  for (int64_t i = n - 1; i > 0; --i) {
    auto j = static_cast<int64_t>(philox_bounded(seed, offset, i, static_cast<uint64_t>(i) + 1));
    std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
  }
  return perm;
}

std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                  const std::vector<int64_t>& lengths, uint64_t seed) {
  EMBER_CHECK(dataset != nullptr, "random_split: expected a dataset, got nullptr");
  int64_t total = 0;
  for (int64_t length : lengths) {
    EMBER_CHECK_VALUE(length >= 0, "random_split: expected non-negative lengths, got {}", IntArrayRef(lengths));
    EMBER_CHECK_VALUE(!__builtin_add_overflow(total, length, &total),
                      "random_split: expected lengths that sum to the dataset's size {}, got {} (the sum overflows)",
                      dataset->size(), IntArrayRef(lengths));
  }
  EMBER_CHECK_VALUE(total == dataset->size(),
                    "random_split: expected lengths that sum to the dataset's size {}, got {} (sum {})",
                    dataset->size(), IntArrayRef(lengths), total);
  const std::vector<int64_t> perm = seeded_permutation(total, seed, /*stream=*/0);
  std::vector<std::shared_ptr<Subset>> out;
  out.reserve(lengths.size());
  auto from = perm.begin();
  for (int64_t length : lengths) {
    out.push_back(std::make_shared<Subset>(dataset, std::vector<int64_t>(from, from + length)));
    from += length;
  }
  return out;
}

}  // namespace ember::data
