// DataLoader: batches of a Dataset in a range-for, shuffled per epoch from a
// seed, loaded in the iterating thread, one background prefetch thread or
// num_workers threads; every mode yields the same batches in the same order.
// The threads and the ring of loaded batches live in dataloader.cpp.
#pragma once

#include <ember/nn/data/dataset.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>

namespace ember::data {

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;    // a new order every epoch: a function of (seed, epoch) only
  bool drop_last = false;  // drop the last batch when it would be smaller than batch_size
  // Threads that call Dataset::get_batch. 0: no workers; then prefetch > 0 starts
  // one background prefetch thread and prefetch = 0 loads in the iterating thread.
  int num_workers = 0;
  int prefetch = 2;        // batches loaded ahead per thread (PyTorch's prefetch_factor)
  uint64_t seed = 0;
  // When set, each epoch visits sampler->indices() in that order (shuffle must be false).
  std::shared_ptr<const Sampler> sampler = nullptr;
};

namespace detail {
class Epoch;
}

class DataLoader {
 public:
  // An input iterator over one epoch's batches. Any exception a thread's
  // get_batch threw is rethrown, the same object, by begin() or ++ for the
  // batch it belongs to. Valid until the next begin() or the loader's end.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Example;
    using difference_type = std::ptrdiff_t;
    using pointer = const Example*;
    using reference = const Example&;

    Iterator() = default;
    const Example& operator*() const;
    const Example* operator->() const { return &**this; }
    Iterator& operator++();
    void operator++(int) { ++*this; }  // an input iterator's post-increment returns nothing
    // Iterators compare by batch position: begin() != end() while batches remain.
    bool operator==(const Iterator& other) const { return position_ == other.position_; }

   private:
    friend class DataLoader;
    Iterator(DataLoader* loader, int64_t epoch, int64_t position) : loader_(loader), epoch_(epoch), position_(position) {}
    void load();

    DataLoader* loader_ = nullptr;
    int64_t epoch_ = 0;
    int64_t position_ = 0;
    Example batch_;
  };

  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});
  // Stops the threads of the running epoch (they finish the batch in hand) and joins them.
  ~DataLoader();
  // Iterators and threads point into the loader: it stays where it was made.
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  int64_t size() const;  // batches per epoch
  // Starts a new epoch (stopping the previous one's threads) and loads its first batch.
  Iterator begin();
  Iterator end();
  int64_t epochs_started() const { return epochs_started_; }
  // The next begin() runs epoch `epoch` (its shuffle order): resuming a run
  // continues with the order it would have had.
  void set_epoch(int64_t epoch);
  const DataLoaderOptions& options() const { return options_; }
  const std::shared_ptr<const Dataset>& dataset() const { return dataset_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  int64_t epochs_started_ = 0;
  std::unique_ptr<detail::Epoch> epoch_;
};

}  // namespace ember::data
