// DataLoader and its Epoch: one epoch's batch order, and the threads that load
// batches ahead into a ring the iterating thread takes them from, in order.
// See Note [Loader threads and the ring] for why every mode gives the same batches.
#include <ember/nn/data/dataloader.h>

#include <ember/core/parallel.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace ember::data {
namespace detail {

// Note [Loader threads and the ring]
// Batch k of an epoch is fixed before any thread starts: the indices
// order[k * batch_size, ...). Threads claim batch numbers in increasing order
// from one counter, load them in any order, and leave each in ring slot
// k % capacity; the iterating thread takes batch k from its slot and only then
// lets batch k + capacity be claimed, so a slot is never overwritten before it
// is read. Which thread loaded a batch therefore changes nothing but timing,
// and loading without threads (take() calls get_batch itself) is the reference.
class Epoch {
 public:
  Epoch(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> order, int64_t batch_size, int64_t num_batches,
        int threads, int capacity)
      : dataset_(std::move(dataset)),
        order_(std::move(order)),
        batch_size_(batch_size),
        num_batches_(num_batches),
        capacity_(std::max(capacity, 1)),
        ring_(static_cast<size_t>(threads > 0 ? capacity_ : 0)) {
    const int n = static_cast<int>(std::min<int64_t>(threads, num_batches_));
    try {
      for (int i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
    } catch (...) {
      stop();  // a thread failed to start: the started ones must not outlive us
      throw;
    }
  }
  ~Epoch() { stop(); }
  Epoch(const Epoch&) = delete;
  Epoch& operator=(const Epoch&) = delete;

  int64_t num_batches() const { return num_batches_; }

  // Batch k; k = 0, 1, 2, ... in turn. Rethrows what loading it threw.
  Example take(int64_t k) {
    if (threads_.empty()) return load(k);
    Loaded loaded;
    {
      std::unique_lock lock(mutex_);
      EMBER_INTERNAL_ASSERT(k == next_take_, "DataLoader: batch {} taken out of turn (expected {})", k, next_take_);
      std::optional<Loaded>& slot = ring_[static_cast<size_t>(k % capacity_)];
      ready_.wait(lock, [&] { return slot.has_value(); });
      loaded = std::move(*slot);
      slot.reset();
      ++next_take_;
    }
    space_.notify_all();
    if (loaded.error) std::rethrow_exception(loaded.error);
    return std::move(loaded.batch);
  }

 private:
  struct Loaded {
    Example batch;
    std::exception_ptr error;  // the very exception get_batch threw, rethrown by take()
  };

  Example load(int64_t k) const {
    const int64_t begin = k * batch_size_;
    const int64_t end = std::min<int64_t>(begin + batch_size_, static_cast<int64_t>(order_.size()));
    std::vector<int64_t> indices(order_.begin() + begin, order_.begin() + end);
    return dataset_->get_batch(indices);
  }

  void work() {
    // Each loader thread loads serially, as PyTorch's workers run on one thread:
    // a thread of its own would otherwise start an OpenMP team as wide as the
    // machine, beside the training thread's, and the two teams' spinning
    // threads would halve both (an epoch of Fashion-MNIST batches took 2.2x as long).
    set_num_threads(1);  // the calling thread's OpenMP setting only
    for (;;) {
      int64_t k;
      {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return stopping_ || next_claim_ >= num_batches_ || next_claim_ < next_take_ + capacity_; });
        if (stopping_ || next_claim_ >= num_batches_) return;
        k = next_claim_++;
      }
      Loaded loaded;
      try {
        loaded.batch = load(k);
      } catch (...) {
        loaded.error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        ring_[static_cast<size_t>(k % capacity_)] = std::move(loaded);
      }
      ready_.notify_one();
    }
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    space_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  const std::shared_ptr<const Dataset> dataset_;
  const std::vector<int64_t> order_;
  const int64_t batch_size_, num_batches_;
  const int64_t capacity_;  // batches loaded but not yet taken, at most

  std::mutex mutex_;
  std::condition_variable ready_;  // a batch was stored: the iterating thread may take it
  std::condition_variable space_;  // a batch was taken (or we stop): a thread may claim the next
  std::vector<std::optional<Loaded>> ring_;
  int64_t next_claim_ = 0, next_take_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: started after everything they read exists
};

}  // namespace detail

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  EMBER_CHECK(dataset_ != nullptr, "DataLoader: expected a dataset, got nullptr");
  EMBER_CHECK_VALUE(options_.batch_size >= 1, "DataLoader: expected batch_size >= 1, got {}", options_.batch_size);
  EMBER_CHECK_VALUE(options_.num_workers >= 0, "DataLoader: expected num_workers >= 0, got {}", options_.num_workers);
  EMBER_CHECK_VALUE(options_.prefetch >= 0, "DataLoader: expected prefetch >= 0, got {}", options_.prefetch);
  EMBER_CHECK_VALUE(options_.num_workers == 0 || options_.prefetch >= 1,
                    "DataLoader: expected prefetch >= 1 with num_workers = {}, got prefetch = 0", options_.num_workers);
  EMBER_CHECK_VALUE(!(options_.sampler && options_.shuffle),
                    "DataLoader: expected shuffle = false with a sampler (the sampler orders the samples), got both");
}

DataLoader::~DataLoader() = default;

int64_t DataLoader::size() const {
  const int64_t n = options_.sampler ? options_.sampler->size() : dataset_->size();
  return options_.drop_last ? n / options_.batch_size : n / options_.batch_size + (n % options_.batch_size != 0);
}

DataLoader::Iterator DataLoader::begin() {
  epoch_.reset();  // joins the previous epoch's threads before a new one starts
  const int64_t epoch = epochs_started_++;
  const int64_t n = dataset_->size();
  std::vector<int64_t> order;
  if (options_.sampler) {
    order = options_.sampler->indices();
    EMBER_CHECK(static_cast<int64_t>(order.size()) == options_.sampler->size(),
                "DataLoader: expected the sampler's indices() to hold size() = {} indices, got {}",
                options_.sampler->size(), order.size());
    for (int64_t index : order) {
      EMBER_CHECK_INDEX(index >= 0 && index < n, "DataLoader: expected sampler indices in [0, {}), got {}", n, index);
    }
  } else if (options_.shuffle) {
    // Stream epoch + 1: stream 0 is random_split's (Note [Shuffle streams] in dataset.cpp).
    order = seeded_permutation(n, options_.seed, static_cast<uint64_t>(epoch) + 1);
  } else {
    order.resize(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
  }
  const int threads = options_.num_workers > 0 ? options_.num_workers : (options_.prefetch > 0 ? 1 : 0);
  const int capacity = options_.prefetch * std::max(options_.num_workers, 1);
  epoch_ = std::make_unique<detail::Epoch>(dataset_, std::move(order), options_.batch_size, size(), threads, capacity);
  Iterator it(this, epoch, 0);
  it.load();
  return it;
}

void DataLoader::set_epoch(int64_t epoch) {
  EMBER_CHECK_VALUE(epoch >= 0, "DataLoader::set_epoch: expected a non-negative epoch, got {}", epoch);
  epoch_.reset();  // an iteration in progress ends here
  epochs_started_ = epoch;
}

DataLoader::Iterator DataLoader::end() { return Iterator(this, epochs_started_ - 1, size()); }

void DataLoader::Iterator::load() {
  batch_ = {};
  EMBER_CHECK(loader_ != nullptr, "DataLoader::Iterator: expected an iterator from DataLoader::begin(), got a default one");
  EMBER_CHECK(epoch_ == loader_->epochs_started_ - 1 && loader_->epoch_ != nullptr,
              "DataLoader::Iterator: expected an iterator of the current epoch {}, got one of epoch {} "
              "(each begin() starts a new epoch and ends the previous one)",
              loader_->epochs_started_ - 1, epoch_);
  if (position_ < loader_->epoch_->num_batches()) batch_ = loader_->epoch_->take(position_);
}

const Example& DataLoader::Iterator::operator*() const {
  EMBER_CHECK(batch_.data.defined(), "DataLoader::Iterator: expected an iterator at a batch, got one at position {} "
              "(past the end, or its batch failed to load)", position_);
  return batch_;
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++position_;
  load();
  return *this;
}

}  // namespace ember::data
