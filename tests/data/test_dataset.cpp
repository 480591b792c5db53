// Tests nn/data/dataset.cpp: Dataset's default get_batch (stacking get),
// TensorDataset, Subset and random_split (lengths, determinism per seed,
// a partition of every index), with their error messages.
#include "harness.h"

#include <algorithm>
#include <numeric>
#include <set>

using namespace ember;
using namespace ember::testing;

namespace {

// Sample i is data [2, 3] filled with i, target 10 * i; only get() is written.
class Squares : public data::Dataset {
 public:
  explicit Squares(int64_t n, bool with_targets = true) : n_(n), with_targets_(with_targets) {}
  int64_t size() const override { return n_; }
  data::Example get(int64_t index) const override {
    Tensor target = with_targets_ || index == 2 ? scalar_tensor(10 * index, kInt64) : Tensor();
    return {full({2, 3}, static_cast<double>(index)), target};
  }

 private:
  int64_t n_;
  bool with_targets_;
};

std::shared_ptr<data::TensorDataset> rows(int64_t n) {
  return std::make_shared<data::TensorDataset>(arange(n * 2, kFloat32).reshape({n, 2}), arange(n, kInt64) * 10);
}

std::vector<int64_t> all_indices(const std::vector<std::shared_ptr<data::Subset>>& parts) {
  std::vector<int64_t> out;
  for (const auto& p : parts) out.insert(out.end(), p->indices().begin(), p->indices().end());
  return out;
}

}  // namespace

TEST_CASE("Dataset::get_batch stacks get along a new dim 0", "[dataset]") {
  Squares squares(5);
  data::Example batch = squares.get_batch({4, 1, 1});
  REQUIRE(batch.data.shape() == Shape{3, 2, 3});
  CHECK(batch.data.select(1, 0).select(1, 0).to_vector<float>() == std::vector<float>{4, 1, 1});
  CHECK(batch.data.sum().item<double>() == 6 * (4 + 1 + 1));
  REQUIRE(batch.target.shape() == Shape{3});
  CHECK(batch.target.to_vector<int64_t>() == std::vector<int64_t>{40, 10, 10});

  // Without targets the batch has none either.
  Squares unlabeled(5, /*with_targets=*/false);
  data::Example plain = unlabeled.get_batch({0, 1});
  CHECK(plain.data.shape() == Shape{2, 2, 3});
  CHECK_FALSE(plain.target.defined());
  REQUIRE_ERROR(unlabeled.get_batch({1, 2}),
                "Dataset::get_batch: expected every sample to have a target or none to, got a mix at index 2");
  REQUIRE_ERROR(squares.get_batch({}), "Dataset::get_batch: expected at least one index, got none");
}

TEST_CASE("TensorDataset returns rows and gathers batches", "[dataset]") {
  auto ds = rows(6);
  CHECK(ds->size() == 6);
  data::Example e = ds->get(4);
  CHECK(e.data.to_vector<float>() == std::vector<float>{8, 9});
  CHECK(e.target.dim() == 0);
  CHECK(e.target.item<int64_t>() == 40);
  data::Example batch = ds->get_batch({5, 0, 5});
  REQUIRE(batch.data.shape() == Shape{3, 2});
  CHECK(batch.data.to_vector<float>() == std::vector<float>{10, 11, 0, 1, 10, 11});
  CHECK(batch.target.to_vector<int64_t>() == std::vector<int64_t>{50, 0, 50});
  // An empty batch has zero rows, not an error: the shapes are known.
  CHECK(ds->get_batch({}).data.shape() == Shape{0, 2});
}

TEST_CASE("TensorDataset validates its tensors and indices", "[dataset]") {
  REQUIRE_ERROR(data::TensorDataset(zeros({3, 2}), zeros({4})),
                "TensorDataset: expected data and targets with the same size along dim 0, got shapes [3, 2] and [4]");
  REQUIRE_ERROR(data::TensorDataset(zeros({}), zeros({1})),
                "TensorDataset: expected data and targets with at least 1 dim (samples along dim 0), got shapes [] and [1]");
  REQUIRE_ERROR(data::TensorDataset(Tensor(), zeros({1})),
                "TensorDataset: expected defined data and targets, got undefined and defined");
  auto ds = rows(3);
  REQUIRE_ERROR(ds->get(3), "TensorDataset::get: expected an index in [0, 3), got 3");
  REQUIRE_ERROR(ds->get(-1), "TensorDataset::get: expected an index in [0, 3), got -1");
  REQUIRE_ERROR(ds->get_batch({0, 7}), "TensorDataset::get_batch: expected an index in [0, 3), got 7");
}

TEST_CASE("Subset maps its indices for get and get_batch", "[dataset]") {
  auto ds = rows(6);
  data::Subset subset(ds, {5, 2, 2});
  CHECK(subset.size() == 3);
  CHECK(subset.get(0).target.item<int64_t>() == 50);
  CHECK(subset.get_batch({2, 0}).target.to_vector<int64_t>() == std::vector<int64_t>{20, 50});
  CHECK(subset.get_batch({1}).data.to_vector<float>() == std::vector<float>{4, 5});
  REQUIRE_ERROR(data::Subset(ds, {0, 6}), "Subset: expected an index in [0, 6), got 6");
  REQUIRE_ERROR(data::Subset(nullptr, {}), "Subset: expected a dataset, got nullptr");
  REQUIRE_ERROR(subset.get(3), "Subset::get: expected an index in [0, 3), got 3");
  REQUIRE_ERROR(subset.get_batch({0, -2}), "Subset::get_batch: expected an index in [0, 3), got -2");
  // A subset of a subset composes.
  data::Subset inner(std::make_shared<data::Subset>(subset), {2, 0});
  CHECK(inner.get_batch({0, 1}).target.to_vector<int64_t>() == std::vector<int64_t>{20, 50});
}

TEST_CASE("random_split partitions every index, deterministically per seed", "[dataset]") {
  auto ds = rows(100);
  auto parts = data::random_split(ds, {70, 20, 10, 0}, /*seed=*/7);
  REQUIRE(parts.size() == 4);
  CHECK(parts[0]->size() == 70);
  CHECK(parts[1]->size() == 20);
  CHECK(parts[2]->size() == 10);
  CHECK(parts[3]->size() == 0);
  std::vector<int64_t> every = all_indices(parts);
  std::vector<int64_t> sorted = every;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expected(100);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(sorted == expected);
  CHECK(every != expected);  // shuffled, not in order
  // The subsets read the parent's rows.
  const int64_t first = parts[1]->indices()[0];
  CHECK(parts[1]->get(0).target.item<int64_t>() == 10 * first);

  // The same seed gives the same split (whatever the global generator did meanwhile).
  manual_seed(123);
  (void)randn({10});
  CHECK(all_indices(data::random_split(ds, {70, 20, 10, 0}, 7)) == every);
  CHECK(all_indices(data::random_split(ds, {70, 30}, 8)) != every);
  // The permutation depends on the seed and the size only, not on the lengths.
  CHECK(all_indices(data::random_split(ds, {50, 50}, 7)) == every);
}

TEST_CASE("random_split checks that the lengths sum to the dataset's size", "[dataset]") {
  auto ds = rows(10);
  REQUIRE_ERROR(data::random_split(ds, {3, 3}, 0),
                "random_split: expected lengths that sum to the dataset's size 10, got [3, 3] (sum 6)");
  REQUIRE_ERROR(data::random_split(ds, {8, 8}, 0), "got [8, 8] (sum 16)");
  REQUIRE_ERROR(data::random_split(ds, {12, -2}, 0), "random_split: expected non-negative lengths, got [12, -2]");
  REQUIRE_ERROR(data::random_split(ds, {INT64_MAX, INT64_MAX}, 0), "(the sum overflows)");
  REQUIRE_ERROR(data::random_split(nullptr, {}, 0), "random_split: expected a dataset, got nullptr");
  CHECK(data::random_split(std::make_shared<data::TensorDataset>(zeros({0, 2}), zeros({0})), {0}, 0)[0]->size() == 0);
}

TEST_CASE("seeded_permutation is a permutation that depends on seed and stream", "[dataset]") {
  std::vector<int64_t> a = data::seeded_permutation(1000, 1, 0);
  std::set<int64_t> unique(a.begin(), a.end());
  CHECK(unique.size() == 1000);
  CHECK(*unique.begin() == 0);
  CHECK(*unique.rbegin() == 999);
  CHECK(data::seeded_permutation(1000, 1, 0) == a);
  CHECK(data::seeded_permutation(1000, 2, 0) != a);
  CHECK(data::seeded_permutation(1000, 1, 1) != a);
  CHECK(data::seeded_permutation(0, 1, 0).empty());
  CHECK(data::seeded_permutation(1, 1, 0) == std::vector<int64_t>{0});
  REQUIRE_ERROR(data::seeded_permutation(-1, 0, 0), "seeded_permutation: expected 0 <= n <= 2^40, got -1");
}
