// Tests nn/data/dataloader.cpp: batch shapes, the last partial batch,
// drop_last, seeded shuffles per epoch, identical batches with and without
// threads, exceptions from worker threads, and destruction mid-epoch.
#include "harness.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>

using namespace ember;
using namespace ember::testing;

namespace {

// Row i of data is [i, -i] and its target is i, so a batch names its indices.
std::shared_ptr<data::TensorDataset> numbered(int64_t n) {
  Tensor i = arange(n, kFloat32);
  return std::make_shared<data::TensorDataset>(stack({i, -i}, 1), arange(n, kInt64));
}

// The indices of every batch of one epoch (one range-for).
std::vector<std::vector<int64_t>> epoch_batches(data::DataLoader& loader) {
  std::vector<std::vector<int64_t>> out;
  for (const data::Example& batch : loader) out.push_back(batch.target.to_vector<int64_t>());
  return out;
}

std::vector<int64_t> flat(const std::vector<std::vector<int64_t>>& batches) {
  std::vector<int64_t> out;
  for (const auto& b : batches) out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// A dataset that records how many get_batch calls are running and have run,
// sleeps in each, and throws an ember::Error (IndexError) for one sample.
class Watched : public data::Dataset {
 public:
  Watched(int64_t n, int64_t bad_index, std::chrono::microseconds delay)
      : inner_(numbered(n)), bad_index_(bad_index), delay_(delay) {}
  int64_t size() const override { return inner_->size(); }
  data::Example get(int64_t index) const override { return inner_->get(index); }
  data::Example get_batch(const std::vector<int64_t>& indices) const override {
    ++running;
    std::this_thread::sleep_for(delay_);
    ++calls;
    --running;
    if (std::find(indices.begin(), indices.end(), bad_index_) != indices.end()) {
      detail::fail(ErrorKind::Index, "Watched: sample {} is broken", bad_index_);
    }
    return inner_->get_batch(indices);
  }
  mutable std::atomic<int> running{0}, calls{0};

 private:
  std::shared_ptr<data::TensorDataset> inner_;
  int64_t bad_index_;
  std::chrono::microseconds delay_;
};

struct Mode {
  int num_workers;
  int prefetch;
  const char* name;
};
constexpr Mode kModes[] = {{0, 0, "in the iterating thread"},
                           {0, 2, "one prefetch thread"},
                           {2, 2, "two workers"},
                           {3, 1, "three workers, prefetch 1"}};

}  // namespace

TEST_CASE("DataLoader batches in order with a smaller last batch", "[dataloader]") {
  for (const Mode& mode : kModes) {
    INFO(mode.name);
    data::DataLoader loader(numbered(10), {.batch_size = 4, .num_workers = mode.num_workers, .prefetch = mode.prefetch});
    CHECK(loader.size() == 3);
    std::vector<Shape> shapes;
    for (const data::Example& batch : loader) {
      shapes.push_back(batch.data.shape());
      CHECK(batch.data.dtype() == kFloat32);
      CHECK(batch.target.shape() == Shape{batch.data.size(0)});
      // Row j of the batch is [t, -t] for its target t.
      CHECK(batch.data.select(1, 0).to_vector<int64_t>() == batch.target.to_vector<int64_t>());
      CHECK(batch.data.select(1, 1).neg().to_vector<int64_t>() == batch.target.to_vector<int64_t>());
    }
    CHECK(shapes == std::vector<Shape>{{4, 2}, {4, 2}, {2, 2}});
    CHECK(epoch_batches(loader) == std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}});
  }
}

TEST_CASE("DataLoader drop_last drops only a partial last batch", "[dataloader]") {
  data::DataLoader partial(numbered(10), {.batch_size = 4, .drop_last = true});
  CHECK(partial.size() == 2);
  CHECK(epoch_batches(partial) == std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}});
  data::DataLoader exact(numbered(8), {.batch_size = 4, .drop_last = true});
  CHECK(exact.size() == 2);
  CHECK(flat(epoch_batches(exact)) == iota(8));
  data::DataLoader too_small(numbered(3), {.batch_size = 4, .drop_last = true, .num_workers = 2});
  CHECK(too_small.size() == 0);
  CHECK(epoch_batches(too_small).empty());
  data::DataLoader kept(numbered(3), {.batch_size = 4});
  CHECK(epoch_batches(kept) == std::vector<std::vector<int64_t>>{{0, 1, 2}});
  data::DataLoader empty_set(numbered(0), {.batch_size = 4, .num_workers = 2});
  CHECK(empty_set.size() == 0);
  CHECK(empty_set.begin() == empty_set.end());
}

TEST_CASE("DataLoader shuffles every index once per epoch, a new order each epoch, the same for a seed", "[dataloader]") {
  auto ds = numbered(103);
  data::DataLoader a(ds, {.batch_size = 10, .shuffle = true, .seed = 5});
  data::DataLoader b(ds, {.batch_size = 10, .shuffle = true, .seed = 5});
  data::DataLoader other_seed(ds, {.batch_size = 10, .shuffle = true, .seed = 6});
  std::vector<std::vector<int64_t>> orders;
  for (int epoch = 0; epoch < 3; ++epoch) {
    INFO("epoch " << epoch);
    std::vector<std::vector<int64_t>> batches = epoch_batches(a);
    REQUIRE(batches.size() == 11);
    CHECK(batches.back().size() == 3);
    std::vector<int64_t> order = flat(batches);
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == iota(103));  // every index exactly once
    CHECK(order != iota(103));
    CHECK(flat(epoch_batches(b)) == order);            // same seed, same epoch: same order
    CHECK(flat(epoch_batches(other_seed)) != order);   // another seed: another order
    for (const auto& earlier : orders) CHECK(order != earlier);  // every epoch differs
    orders.push_back(order);
  }
  CHECK(a.epochs_started() == 3);
  // The order is a function of (seed, epoch): a fresh loader replays epoch 0, 1, ...
  data::DataLoader replay(ds, {.batch_size = 7, .shuffle = true, .num_workers = 2, .seed = 5});
  CHECK(flat(epoch_batches(replay)) == orders[0]);
  CHECK(flat(epoch_batches(replay)) == orders[1]);
  // set_epoch jumps to an epoch's order (resuming a run), also in the middle of one.
  data::DataLoader resumed(ds, {.batch_size = 10, .shuffle = true, .seed = 5});
  resumed.set_epoch(2);
  CHECK(flat(epoch_batches(resumed)) == orders[2]);
  auto it = resumed.begin();
  ++it;
  resumed.set_epoch(1);
  CHECK(flat(epoch_batches(resumed)) == orders[1]);
  REQUIRE_ERROR(resumed.set_epoch(-1), "DataLoader::set_epoch: expected a non-negative epoch, got -1");
}

TEST_CASE("DataLoader threads give the very batches of loading in the iterating thread", "[dataloader]") {
  auto ds = numbered(1000);
  for (bool drop_last : {false, true}) {
    data::DataLoader reference(ds, {.batch_size = 32, .shuffle = true, .drop_last = drop_last, .prefetch = 0, .seed = 9});
    std::vector<std::vector<std::vector<int64_t>>> expected;
    for (int epoch = 0; epoch < 3; ++epoch) expected.push_back(epoch_batches(reference));
    for (const Mode& mode : kModes) {
      INFO(mode.name << ", drop_last " << drop_last);
      data::DataLoader loader(ds, {.batch_size = 32, .shuffle = true, .drop_last = drop_last,
                                   .num_workers = mode.num_workers, .prefetch = mode.prefetch, .seed = 9});
      for (int epoch = 0; epoch < 3; ++epoch) CHECK(epoch_batches(loader) == expected[epoch]);
    }
  }
  // Also when batches take uneven time, so that workers finish out of order.
  auto slow = std::make_shared<Watched>(40, -1, std::chrono::microseconds(300));
  data::DataLoader uneven(slow, {.batch_size = 3, .shuffle = true, .num_workers = 3, .seed = 1});
  data::DataLoader inline_loader(slow, {.batch_size = 3, .shuffle = true, .prefetch = 0, .seed = 1});
  CHECK(epoch_batches(uneven) == epoch_batches(inline_loader));
}

TEST_CASE("DataLoader rethrows a worker's ember::Error at its batch", "[dataloader]") {
  for (const Mode& mode : kModes) {
    INFO(mode.name);
    auto ds = std::make_shared<Watched>(20, /*bad_index=*/9, std::chrono::microseconds(0));
    data::DataLoader loader(ds, {.batch_size = 4, .num_workers = mode.num_workers, .prefetch = mode.prefetch});
    std::vector<std::vector<int64_t>> seen;
    bool thrown = false;
    try {
      for (const data::Example& batch : loader) seen.push_back(batch.target.to_vector<int64_t>());
    } catch (const Error& e) {
      thrown = true;
      CHECK(std::string(e.what()) == "Watched: sample 9 is broken");
      CHECK(e.kind() == ErrorKind::Index);
    }
    CHECK(thrown);
    // The batches before the broken one (indices 8..11) arrived, in order.
    CHECK(seen == std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}});
    // The next epoch starts cleanly; an iterator can also step past the broken batch.
    data::DataLoader::Iterator it = loader.begin();
    CHECK(it->target.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3});
    ++it;
    REQUIRE_ERROR(++it, "Watched: sample 9 is broken");
    REQUIRE_ERROR(*it, "DataLoader::Iterator: expected an iterator at a batch, got one at position 2");
    ++it;
    CHECK(it->target.to_vector<int64_t>() == std::vector<int64_t>{12, 13, 14, 15});
  }
}

TEST_CASE("DataLoader shuts its threads down when destroyed or restarted mid-epoch", "[dataloader]") {
  auto ds = std::make_shared<Watched>(200, -1, std::chrono::microseconds(200));
  for (int round = 0; round < 20; ++round) {
    INFO("round " << round);
    const int calls_before = ds->calls.load();
    {
      data::DataLoader loader(ds, {.batch_size = 2, .shuffle = true, .num_workers = 2 + round % 3, .prefetch = 2});
      data::DataLoader::Iterator it = loader.begin();
      for (int step = 0; step < round % 4; ++step) ++it;
      CHECK(it->data.size(0) == 2);
    }  // destroyed with workers mid-batch or waiting for room in the ring
    CHECK(ds->running.load() == 0);  // every thread joined: none still inside get_batch
    // At most what the ring holds was loaded ahead: round % 4 + 1 taken, 2 per worker ahead, 1 in hand per worker.
    const int workers = 2 + round % 3;
    CHECK(ds->calls.load() - calls_before <= round % 4 + 1 + 2 * workers + workers);
  }
  // Breaking out of a range-for and starting the next epoch at once.
  {
    data::DataLoader loader(ds, {.batch_size = 5, .num_workers = 2});
    for (int epoch = 0; epoch < 5; ++epoch) {
      int64_t first = -1;
      for (const data::Example& batch : loader) {
        first = batch.target[0].item<int64_t>();
        break;
      }
      CHECK(first == 0);
    }
  }
  // A loader made and dropped without iterating, and one dropped right after begin().
  { data::DataLoader idle(ds, {.batch_size = 5, .num_workers = 4}); }
  {
    data::DataLoader started(ds, {.batch_size = 5, .num_workers = 4});
    (void)started.begin();
  }
  CHECK(ds->running.load() == 0);
}

TEST_CASE("DataLoader validates its options and stale iterators", "[dataloader]") {
  auto ds = numbered(10);
  REQUIRE_ERROR(data::DataLoader(nullptr, {}), "DataLoader: expected a dataset, got nullptr");
  REQUIRE_ERROR(data::DataLoader(ds, {.batch_size = 0}), "DataLoader: expected batch_size >= 1, got 0");
  REQUIRE_ERROR(data::DataLoader(ds, {.num_workers = -1}), "DataLoader: expected num_workers >= 0, got -1");
  REQUIRE_ERROR(data::DataLoader(ds, {.prefetch = -1}), "DataLoader: expected prefetch >= 0, got -1");
  REQUIRE_ERROR(data::DataLoader(ds, {.num_workers = 2, .prefetch = 0}),
                "DataLoader: expected prefetch >= 1 with num_workers = 2, got prefetch = 0");

  data::DataLoader loader(ds, {.batch_size = 3, .num_workers = 1});
  data::DataLoader::Iterator old = loader.begin();
  data::DataLoader::Iterator current = loader.begin();
  REQUIRE_ERROR(++old, "DataLoader::Iterator: expected an iterator of the current epoch 1, got one of epoch 0");
  CHECK((++current)->target.to_vector<int64_t>() == std::vector<int64_t>{3, 4, 5});
  data::DataLoader::Iterator unset;
  REQUIRE_ERROR(++unset, "DataLoader::Iterator: expected an iterator from DataLoader::begin(), got a default one");
  static_assert(std::input_iterator<data::DataLoader::Iterator>);
}
