// One benchmark source, compiled twice: against ember (BENCH_EMBER) and
// against libtorch (BENCH_LIBTORCH). The op code is literally the same, which
// also shows that ember's C++ API reads like libtorch's. Prints one line per
// case: `name nanoseconds_per_call`; benchmarks/compare.py runs both builds and
// prints the ratios.
#if defined(BENCH_EMBER)
#include <ember/ember.h>
namespace lib = ember;
#elif defined(BENCH_LIBTORCH)
#include <torch/torch.h>
namespace lib = torch;
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

// Median time per call over `rounds` rounds of `calls` calls, after a warm-up round.
double time_ns(int rounds, int calls, const std::function<void()>& fn) {
  for (int i = 0; i < calls; ++i) fn();
  std::vector<double> samples;
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) fn();
    std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
    samples.push_back(elapsed.count() / calls);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

void report(const char* name, double ns) { std::printf("%s %.1f\n", name, ns); }

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  lib::set_num_threads(threads);
  lib::manual_seed(0);
  std::string only = argc > 2 ? argv[2] : "";
  auto wanted = [&](const char* name) { return only.empty() || std::string(name).find(only) != std::string::npos; };

  if (wanted("add_1")) {
    lib::Tensor a = lib::ones({1}), b = lib::ones({1});
    report("add_1", time_ns(7, 200000, [&] { lib::Tensor c = a + b; }));
  }
  if (wanted("add_1_grad")) {  // recording overhead: the same add, with a node on the tape
    lib::Tensor a = lib::ones({1}).requires_grad_(), b = lib::ones({1}).requires_grad_();
    report("add_1_grad", time_ns(7, 100000, [&] { lib::Tensor c = a + b; }));
  }
  if (wanted("chain_100")) {  // forward + backward of 100 tiny steps, per chain
    lib::Tensor x = lib::ones({1}).requires_grad_();
    report("chain_100", time_ns(7, 500, [&] {
      lib::Tensor y = x;
      for (int i = 0; i < 100; ++i) y = y * 1.0001 + 0.0001;
      y.sum().backward();
    }));
  }
  if (wanted("adam_step_10M")) {  // one Adam step over an MLP's 10M float32 parameters, gradients in place
    std::vector<lib::Tensor> params;
    for (std::vector<int64_t> shape : {std::vector<int64_t>{2048, 2048}, {2048}, {2048, 2048}, {2048}, {784, 2048}, {784}})
      params.push_back(lib::randn(shape).requires_grad_());
    lib::Tensor loss = (params[0] * lib::randn({2048, 2048})).sum();
    for (size_t i = 1; i < params.size(); ++i) loss = loss + (params[i] * lib::randn_like(params[i])).sum();
    loss.backward();
#if defined(BENCH_EMBER)
    lib::optim::Adam adam(params, {.lr = 1e-3});
#else
    lib::optim::Adam adam(params, lib::optim::AdamOptions(1e-3));
#endif
    report("adam_step_10M", time_ns(7, 5, [&] { adam.step(); }));
  }
  if (wanted("sgd_step_512x784")) {  // plain SGD (no momentum) on the MLP's first weight, as in the issue
    lib::Tensor w = lib::randn({512, 784}).requires_grad_();
    (w * lib::randn({512, 784})).sum().backward();
#if defined(BENCH_EMBER)
    lib::optim::SGD sgd({w}, {.lr = 1e-3});
#else
    lib::optim::SGD sgd({w}, lib::optim::SGDOptions(1e-3));
#endif
    report("sgd_step_512x784", time_ns(7, 50, [&] { sgd.step(); }));
  }
  const int64_t n = 16 * 1024 * 1024;
  lib::Tensor x = lib::randn({n}), y = lib::randn({n});
  if (wanted("add_16M")) report("add_16M", time_ns(7, 10, [&] { lib::Tensor c = x + y; }));
  if (wanted("mul_16M")) report("mul_16M", time_ns(7, 10, [&] { lib::Tensor c = x * y; }));
  if (wanted("relu_16M")) report("relu_16M", time_ns(7, 10, [&] { lib::Tensor c = lib::relu(x); }));
  if (wanted("add_inplace_16M")) report("add_inplace_16M", time_ns(7, 10, [&] { x.add_(y); }));
  if (wanted("exp_16M")) report("exp_16M", time_ns(7, 10, [&] { lib::Tensor c = lib::exp(y); }));
  if (wanted("tanh_16M")) report("tanh_16M", time_ns(7, 10, [&] { lib::Tensor c = lib::tanh(y); }));
  if (wanted("sum_16M")) report("sum_16M", time_ns(7, 20, [&] { lib::Tensor c = y.sum(); }));
  if (wanted("softmax_4096x1024")) {
    lib::Tensor s = lib::randn({4096, 1024});
    report("softmax_4096x1024", time_ns(7, 10, [&] { lib::Tensor c = lib::softmax(s, 1); }));
  }
  for (int64_t size : {64, 256, 1024, 2048}) {
    std::string name = "matmul_" + std::to_string(size);
    if (!wanted(name.c_str())) continue;
    lib::Tensor a = lib::randn({size, size}), b = lib::randn({size, size});
    int calls = size >= 2048 ? 3 : size >= 1024 ? 10 : 200;
    report(name.c_str(), time_ns(5, calls, [&] { lib::Tensor c = lib::matmul(a, b); }));
  }
  if (wanted("mlp_layer")) {  // the MLP example's first layer: [64, 784] x [784, 256]
    lib::Tensor a = lib::randn({64, 784}), w = lib::randn({784, 256});
    report("mlp_layer", time_ns(7, 200, [&] { lib::Tensor c = lib::relu(lib::matmul(a, w)); }));
  }
  // The CNN example's layers, batch 128: the second conv, the first pooling, a batch norm.
  lib::Tensor image = lib::randn({128, 32, 13, 13}), kernel = lib::randn({64, 32, 3, 3}), kernel_bias = lib::randn({64});
  lib::Tensor feature = lib::randn({128, 32, 26, 26}), normed = lib::randn({128, 64, 11, 11});
  lib::Tensor mean = lib::zeros({64}), var = lib::ones({64}), gamma = lib::ones({64}), beta = lib::zeros({64});
#if defined(BENCH_EMBER)
  auto conv = [](const lib::Tensor& x, const lib::Tensor& w, const lib::Tensor& b) { return lib::conv2d(x, w, b); };
  auto pool = [](const lib::Tensor& x) { return lib::max_pool2d(x, 2); };
  auto norm = [&](const lib::Tensor& x) {
    return lib::batch_norm(x, mean, var, {.weight = gamma, .bias = beta, .training = true});
  };
#else
  auto conv = [](const lib::Tensor& x, const lib::Tensor& w, const lib::Tensor& b) { return lib::conv2d(x, w, b); };
  auto pool = [](const lib::Tensor& x) { return lib::max_pool2d(x, {2, 2}); };
  auto norm = [&](const lib::Tensor& x) {
    return lib::batch_norm(x, gamma, beta, mean, var, /*training=*/true, 0.1, 1e-5, /*cudnn_enabled=*/false);
  };
#endif
  if (wanted("conv2d_128x32x13")) report("conv2d_128x32x13", time_ns(7, 20, [&] { lib::Tensor c = conv(image, kernel, kernel_bias); }));
  if (wanted("conv2d_grad_128x32x13")) {
    lib::Tensor x = image.clone().requires_grad_(), w = kernel.clone().requires_grad_(), b = kernel_bias.clone().requires_grad_();
    report("conv2d_grad_128x32x13", time_ns(7, 10, [&] { conv(x, w, b).sum().backward(); }));
  }
  if (wanted("max_pool2d_128x32x26")) report("max_pool2d_128x32x26", time_ns(7, 20, [&] { lib::Tensor c = pool(feature); }));
  if (wanted("max_pool2d_grad_128x32x26")) {
    lib::Tensor x = feature.clone().requires_grad_();
    report("max_pool2d_grad_128x32x26", time_ns(7, 10, [&] { pool(x).sum().backward(); }));
  }
  if (wanted("batch_norm_128x64x11")) report("batch_norm_128x64x11", time_ns(7, 20, [&] { lib::Tensor c = norm(normed); }));
  if (wanted("batch_norm_grad_128x64x11")) {
    lib::Tensor x = normed.clone().requires_grad_();
    report("batch_norm_grad_128x64x11", time_ns(7, 10, [&] { norm(x).sum().backward(); }));
  }
  return 0;
}
