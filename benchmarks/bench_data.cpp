// Times ember::data on Fashion-MNIST: reading the IDX files, and one epoch of
// train batches of 128 (shuffle = true) with the loader doing nothing else, in
// each loading mode. Usage: bench_data [ROOT]. Prints median seconds of 5 epochs.
#include <ember/ember.h>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <vector>

using namespace ember;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median_epoch(const std::shared_ptr<const data::Dataset>& train, data::DataLoaderOptions options) {
  data::DataLoader loader(train, options);
  std::vector<double> times;
  double checksum = 0;
  for (int epoch = 0; epoch < 5; ++epoch) {
    const auto start = Clock::now();
    for (const data::Example& batch : loader) checksum += static_cast<double>(batch.target.data_ptr<int64_t>()[0]);
    times.push_back(seconds_since(start));
  }
  std::sort(times.begin(), times.end());
  if (checksum < 0) fmt::print("unreachable\n");  // keeps the loop's work observable
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string root = argc > 1 ? argv[1] : data::FashionMNIST::kDefaultRoot;
  auto start = Clock::now();
  auto train = std::make_shared<const data::FashionMNIST>(data::Split::Train, root);
  fmt::print("read train (60000 x 28 x 28, gzip IDX): {:.3f} s\n", seconds_since(start));

  const struct {
    const char* name;
    int num_workers, prefetch;
  } modes[] = {{"num_workers 0, prefetch 0 (iterating thread)", 0, 0},
               {"num_workers 0, prefetch 2 (one prefetch thread)", 0, 2},
               {"num_workers 2, prefetch 2", 2, 2}};
  for (const auto& mode : modes) {
    const double t = median_epoch(train, {.batch_size = 128, .shuffle = true, .num_workers = mode.num_workers,
                                          .prefetch = mode.prefetch, .seed = 0});
    fmt::print("epoch of 469 batches of 128, shuffle, {}: {:.4f} s\n", mode.name, t);
  }
}
