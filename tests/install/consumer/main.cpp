// Uses ember the way a user would, through the umbrella header: ops, and
// ember::data (whose zlib dependency the installed package must bring along).
#include <ember/ember.h>

int main() {
  ember::Tensor t = ember::arange(4, ember::kFloat64).reshape({2, 2});
  if ((t + 1).to_vector<double>() != std::vector<double>{1, 2, 3, 4}) return 1;
  auto rows = std::make_shared<ember::data::TensorDataset>(t, ember::arange(2));
  ember::data::DataLoader loader(rows, {.batch_size = 2, .num_workers = 1});
  int64_t batches = 0;
  for (const ember::data::Example& batch : loader) batches += batch.data.size(0) == 2 ? 1 : 100;
  return batches == 1 ? 0 : 1;
}
