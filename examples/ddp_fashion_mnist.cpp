// The MLP of fashion_mnist_mlp.cpp trained data-parallel: every rank holds a
// replica, reads its share of each epoch (DistributedSampler) and DDP averages
// the gradients while backward runs. The global batch stays 128 (128 / ranks
// per rank), so the recipe is the single-process one. Rank 0 prints progress
// and the test accuracy.
//
//   mpirun -np 2 build/examples/ddp_fashion_mnist [--epochs 5] [--lr 1e-3] [--batch 128] [--data DIR]
//   (as root: mpirun --allow-run-as-root; more ranks than cores: --oversubscribe)
#include "fashion_mnist.h"

using namespace ember;
namespace F = ember::nn::functional;

int main(int argc, char** argv) {
  distributed::init_process_group(distributed::Backend::MPI);
  const int rank = distributed::get_rank(), world = distributed::get_world_size();
  const fashion_mnist::Options options =
      fashion_mnist::parse("ddp_fashion_mnist", {.epochs = 5, .out = "runs/ddp"}, argc, argv);
  EMBER_CHECK_VALUE(options.batch_size % world == 0, "ddp_fashion_mnist: expected --batch divisible by {} ranks, got {}",
                    world, options.batch_size);
  manual_seed(0);
  auto model = std::make_shared<nn::Sequential>(nn::Flatten(), nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128),
                                                nn::ReLU(), nn::Linear(128, 10));
  distributed::DistributedDataParallel ddp(model);

  auto train_set = std::make_shared<data::FashionMNIST>(data::Split::Train, options.data);
  auto test_set = std::make_shared<data::FashionMNIST>(data::Split::Test, options.data);
  auto sampler = std::make_shared<distributed::DistributedSampler>(train_set->size(),
                                                                   distributed::DistributedSamplerOptions{.seed = 0});
  data::DataLoader train_loader(train_set, {.batch_size = options.batch_size / world, .sampler = sampler});
  data::DataLoader test_loader(test_set, {.batch_size = 1000});
  optim::Adam optimizer(ddp.parameters(), {.lr = options.lr});
  if (rank == 0) {
    fmt::print("{} ranks, {} images per rank and batch ({} in all), {} batches per epoch\n", world,
               options.batch_size / world, options.batch_size, train_loader.size());
  }

  double test_accuracy = 0;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    sampler->set_epoch(epoch);  // a new shuffle, the same on every rank
    const auto start = std::chrono::steady_clock::now();
    double epoch_loss = 0;
    int64_t step = 0, seen = 0;
    for (const data::Example& batch : train_loader) {
      Tensor loss = F::cross_entropy(ddp.forward(fashion_mnist::prepare(batch.data, options)), batch.target);
      optimizer.zero_grad();
      loss.backward();  // the buckets' all-reduces run while backward does
      ddp.finalize();   // every gradient averaged (already done by backward here)
      optimizer.step();
      epoch_loss += loss.item<double>();
      seen += batch.target.numel() * world;
      if (rank == 0 && (++step % 20 == 0 || step == train_loader.size())) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        fashion_mnist::progress(step, train_loader.size(), epoch_loss / static_cast<double>(step),
                                static_cast<double>(seen) / seconds);
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (rank == 0) {
      // Every replica holds the same weights: rank 0 alone evaluates.
      test_accuracy = fashion_mnist::accuracy(*model, test_loader, options);
      fmt::print(stderr, "\n");
      fmt::print("epoch {}/{}  train loss (rank 0) {:.4f}  test accuracy {:.2f}%  {:.2f} s ({:.0f} img/s, all ranks)\n",
                 epoch + 1, options.epochs, epoch_loss / static_cast<double>(train_loader.size()), test_accuracy,
                 seconds, static_cast<double>(seen) / seconds);
    }
  }
  if (rank == 0) fmt::print("\ntest accuracy {:.2f}%\n", test_accuracy);
  distributed::destroy_process_group();
  return 0;
}
