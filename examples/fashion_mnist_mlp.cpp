// The main example (scripts/demo): a 784-256-128-10 ReLU MLP trained on the
// real Fashion-MNIST (Debian's dataset-fashion-mnist) with Adam, batch 128.
// Prints a progress bar with loss and throughput, the test accuracy after each
// epoch, writes the loss curve as CSV, and checkpoints model and optimizer
// (safetensors) after every epoch so that --resume continues where it stopped.
// The training loop is examples/fashion_mnist.h, shared with the CNN example.
//
//   build/examples/fashion_mnist_mlp [--epochs 5] [--lr 1e-3] [--batch 128]
//       [--schedule none|cosine] [--normalize] [--out runs/mlp] [--data DIR] [--resume] [--detect-anomaly]
#include "fashion_mnist.h"

using namespace ember;

int main(int argc, char** argv) {
  const fashion_mnist::Options options =
      fashion_mnist::parse("fashion_mnist_mlp", {.epochs = 5, .out = "runs/mlp"}, argc, argv);
  manual_seed(0);
  nn::Sequential model(nn::Flatten(), nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(),
                       nn::Linear(128, 10));
  fashion_mnist::train(model, options);
  return 0;
}
