// What the Fashion-MNIST examples share (fashion_mnist_mlp.cpp and
// fashion_mnist_cnn.cpp each only build their model): the command line, the
// training loop with a progress bar, per-epoch test accuracy, optional
// cosine LR schedule and input normalisation, the loss curve as CSV, and checkpoints
// after every epoch so that --resume continues where a run stopped.
//
//   [--epochs N] [--lr 1e-3] [--batch 128] [--schedule none|cosine]
//   [--normalize] [--out DIR] [--data DIR] [--resume] [--detect-anomaly]
// A loss that turns NaN/Inf prints the loss's graph once and suggests
// --detect-anomaly, which stops at the first op that makes one (docs/debugging.md).
#pragma once

#include <ember/ember.h>

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fashion_mnist {

using namespace ember;
namespace F = ember::nn::functional;

struct Options {
  int epochs = 5;
  int64_t batch_size = 128;
  double lr = 1e-3;
  std::string schedule = "none";  // or "cosine": cosine annealing of the learning rate over all steps
  bool normalize = false;         // inputs (x - mean) / std with the training set's pixel statistics
  std::string out;
  std::string data = data::FashionMNIST::kDefaultRoot;
  bool resume = false;
  bool detect_anomaly = false;  // autograd::AnomalyModeGuard over the whole run
};

// The example's defaults, overridden by the command line.
inline Options parse(const char* program, Options o, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      EMBER_CHECK_VALUE(i + 1 < argc, "{}: {} needs a value", program, arg);
      return argv[++i];
    };
    if (arg == "--epochs") o.epochs = std::stoi(value());
    else if (arg == "--batch") o.batch_size = std::stoll(value());
    else if (arg == "--lr") o.lr = std::stod(value());
    else if (arg == "--schedule") o.schedule = value();
    else if (arg == "--normalize") o.normalize = true;
    else if (arg == "--out") o.out = value();
    else if (arg == "--data") o.data = value();
    else if (arg == "--resume") o.resume = true;
    else if (arg == "--detect-anomaly") o.detect_anomaly = true;
    else EMBER_CHECK_VALUE(false, "{}: unknown argument {} (see examples/fashion_mnist.h for the options)", program, arg);
  }
  EMBER_CHECK_VALUE(o.schedule == "none" || o.schedule == "cosine", "{}: --schedule is none or cosine, got {}",
                    program, o.schedule);
  return o;
}

// Fashion-MNIST's pixel statistics over the training set (values in [0, 1]), as torchvision's Normalize takes them.
inline constexpr double kPixelMean = 0.2860, kPixelStd = 0.3530;

// A batch of images [B, 1, 28, 28] as the model sees it.
inline Tensor prepare(const Tensor& images, const Options& options) {
  return options.normalize ? (images - kPixelMean) / kPixelStd : images;
}

// Top-1 accuracy of model over loader, without recording.
inline double accuracy(nn::Module& model, data::DataLoader& loader, const Options& options) {
  NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0, total = 0;
  for (const data::Example& batch : loader) {
    const Tensor logits = model.forward(prepare(batch.data, options));
    correct += eq(logits.argmax(1), batch.target).sum().item<int64_t>();
    total += batch.target.numel();
  }
  model.train();
  return 100.0 * static_cast<double>(correct) / static_cast<double>(total);
}

// "[#########.........] 234/469  loss 0.4123  41.2k img/s" on one terminal line.
inline void progress(int64_t done, int64_t total, double loss, double images_per_second) {
  const int width = 30, filled = static_cast<int>(width * done / total);
  fmt::print(stderr, "\r  [{}{}] {:4d}/{}  loss {:.4f}  {:.1f}k img/s", std::string(filled, '#'),
             std::string(width - filled, '.'), done, total, loss, images_per_second / 1000);
}

// Trains model with Adam on Fashion-MNIST as options say; returns the final test accuracy.
inline double train(nn::Module& model, const Options& options) {
  std::filesystem::create_directories(options.out);
  auto train_set = std::make_shared<data::FashionMNIST>(data::Split::Train, options.data);
  auto test_set = std::make_shared<data::FashionMNIST>(data::Split::Test, options.data);
  data::DataLoader train_loader(train_set, {.batch_size = options.batch_size, .shuffle = true, .seed = 0});
  data::DataLoader test_loader(test_set, {.batch_size = 1000});

  optim::Adam optimizer(model.parameters(), {.lr = options.lr});
  const int64_t total_steps = options.epochs * train_loader.size();
  std::unique_ptr<optim::CosineAnnealingLR> schedule;
  if (options.schedule == "cosine") {
    schedule = std::make_unique<optim::CosineAnnealingLR>(optimizer, optim::CosineAnnealingLROptions{.T_max = total_steps});
  }
  fmt::print("{}\n{} training images, {} test images, {} batches of {} per epoch\n\n", model.str(), train_set->size(),
             test_set->size(), train_loader.size(), options.batch_size);

  // Checkpoints: model.safetensors (the model's state_dict, PyTorch's keys),
  // optimizer.safetensors, progress.safetensors (epochs done, loss history).
  const std::string model_path = options.out + "/model.safetensors";
  const std::string optimizer_path = options.out + "/optimizer.safetensors";
  const std::string progress_path = options.out + "/progress.safetensors";
  int first_epoch = 0;
  std::vector<double> losses;
  if (options.resume && std::filesystem::exists(progress_path)) {
    model.load_state_dict(load(model_path));
    optimizer.load_state_dict(load(optimizer_path));
    const nn::StateDict progress_state = load(progress_path);
    first_epoch = static_cast<int>(nn::find(progress_state, "epochs_done")->item<int64_t>());
    losses = nn::find(progress_state, "losses")->to_vector<double>();
    train_loader.set_epoch(first_epoch);  // the shuffle order the run would have had
    for (int64_t step = 0; schedule && step < first_epoch * train_loader.size(); ++step) schedule->step();
    fmt::print("resumed after epoch {} from {}\n", first_epoch, options.out);
  }

  std::optional<autograd::AnomalyModeGuard> anomaly;
  if (options.detect_anomaly) anomaly.emplace();
  bool reported_non_finite = false;
  double test_accuracy = 0;
  for (int epoch = first_epoch; epoch < options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    double epoch_loss = 0;
    int64_t step = 0, seen = 0;
    for (const data::Example& batch : train_loader) {
      Tensor loss = F::cross_entropy(model.forward(prepare(batch.data, options)), batch.target);
      if (!reported_non_finite && !std::isfinite(loss.item<double>())) {
        reported_non_finite = true;
        std::ofstream(options.out + "/loss_graph.dot") << autograd::to_dot(loss);
        fmt::print(stderr, "\nloss is {} at step {} of epoch {}; its graph (also {}/loss_graph.dot):\n{}rerun with "
                           "--detect-anomaly to stop at the first op that makes a NaN or Inf\n",
                   loss.item<double>(), step + 1, epoch + 1, options.out, autograd::print_graph(loss));
      }
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      if (schedule) schedule->step();
      losses.push_back(loss.item<double>());
      epoch_loss += losses.back();
      seen += batch.target.numel();
      if (++step % 20 == 0 || step == train_loader.size()) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        progress(step, train_loader.size(), epoch_loss / static_cast<double>(step), static_cast<double>(seen) / seconds);
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    test_accuracy = accuracy(model, test_loader, options);
    fmt::print(stderr, "\n");
    fmt::print("epoch {}/{}  train loss {:.4f}  test accuracy {:.2f}%  {:.2f} s ({:.0f} img/s)\n", epoch + 1,
               options.epochs, epoch_loss / static_cast<double>(step), test_accuracy, seconds,
               static_cast<double>(seen) / seconds);
    save(model.state_dict(), model_path);
    save(optimizer.state_dict(), optimizer_path);
    save({{"epochs_done", scalar_tensor(int64_t{epoch + 1}, kInt64)},
          {"losses", from_blob(losses.data(), {static_cast<int64_t>(losses.size())}, kFloat64).clone()}},
         progress_path);
  }

  if (first_epoch >= options.epochs) test_accuracy = accuracy(model, test_loader, options);  // resumed a finished run
  std::ofstream csv(options.out + "/loss.csv");
  csv << "step,loss\n";
  for (size_t i = 0; i < losses.size(); ++i) csv << i << "," << losses[i] << "\n";
  fmt::print("\ntest accuracy {:.2f}%; loss curve in {}/loss.csv, checkpoints in {}\n", test_accuracy, options.out,
             options.out);
  return test_accuracy;
}

}  // namespace fashion_mnist
