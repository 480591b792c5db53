// Tests optim/sgd.cpp, adam.cpp, adamw.cpp, rmsprop.cpp, adagrad.cpp and the
// pass in multi_tensor.cpp: 20-step trajectories against PyTorch 1.13's golden
// values (tests/optim/make_golden.py), the parallel pass against per-parameter
// steps, skipped parameters, zero_grad, groups, and every option check.
#include "cases.h"

#include <functional>
#include <memory>

using namespace ember;
using namespace ember::testing;

TEST_CASE("every optimizer follows PyTorch's 20-step trajectory in float64", "[optim][golden]") {
  for (const golden::OptimizerCase& golden_case : golden::kOptimizerCases) {
    INFO("case " << golden_case.name);
    REQUIRE(factories().count(golden_case.name));
    Problem problem;
    std::unique_ptr<optim::Optimizer> opt = factories().at(golden_case.name)(problem.params());
    for (size_t t = 0; t < golden_case.steps.size(); ++t) {
      INFO("after step " << t + 1);
      train_step(*opt, problem);
      check_step(problem.flat(), golden_case.steps[t], 1e-6, 1e-12);
    }
  }
  CHECK(factories().size() == golden::kOptimizerCases.size());
}

TEST_CASE("float32 parameters follow the float64 trajectory to float32 accuracy", "[optim][golden]") {
  for (const golden::OptimizerCase& golden_case : golden::kOptimizerCases) {
    INFO("case " << golden_case.name);
    Problem problem(kFloat32);
    std::unique_ptr<optim::Optimizer> opt = factories().at(golden_case.name)(problem.params());
    for (size_t t = 0; t < golden_case.steps.size(); ++t) train_step(*opt, problem);
    CHECK(problem.w.dtype() == kFloat32);
    check_step(problem.flat(), golden_case.steps.back(), 1e-4, 1e-4);
  }
}

TEST_CASE("parameters without a gradient are skipped and get no state", "[optim]") {
  Problem problem;
  optim::Adam adam(problem.params(), {.lr = 0.05});
  train_step(adam, problem);
  CHECK_FALSE(problem.unused.grad().defined());
  check_close(problem.unused, golden::UNUSED0);
  CHECK(adam.state(problem.unused) == nullptr);
  REQUIRE(adam.state(problem.w) != nullptr);
  CHECK(adam.state(problem.w)->step == 1);
  // Adagrad creates its state up front, as PyTorch does; the step count moves only with a gradient.
  optim::Adagrad adagrad(problem.params());
  train_step(adagrad, problem);
  REQUIRE(adagrad.state(problem.unused) != nullptr);
  CHECK(adagrad.state(problem.unused)->step == 0);
  CHECK(adagrad.state(problem.w)->step == 1);
}

// One optimizer over many parameters of mixed sizes (so the parallel range
// splits inside and across tensors, and a non-contiguous one is copied back)
// must equal one optimizer per parameter, run on one thread: the pass is
// elementwise, so any mix-up of offsets shows as a difference.
TEST_CASE("the multi-tensor pass equals per-parameter steps on any number of threads", "[optim]") {
  using Make = std::function<std::unique_ptr<optim::Optimizer>(const std::vector<Tensor>&)>;
  const std::vector<std::pair<std::string, Make>> makers = {
      {"SGD",
       [](const auto& p) {
         return std::make_unique<optim::SGD>(p, optim::SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
       }},
      {"Adam",
       [](const auto& p) {
         return std::make_unique<optim::Adam>(p, optim::AdamOptions{.weight_decay = 0.1, .amsgrad = true});
       }},
      {"AdamW", [](const auto& p) { return std::make_unique<optim::AdamW>(p, optim::AdamWOptions{.lr = 0.01}); }},
      {"RMSprop",
       [](const auto& p) {
         return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions{.momentum = 0.5, .centered = true});
       }},
      {"Adagrad",
       [](const auto& p) { return std::make_unique<optim::Adagrad>(p, optim::AdagradOptions{.lr_decay = 0.1}); }},
  };
  const std::vector<Shape> shapes = {{300, 257}, {7}, {1}, {40, 30}, {50000}, {0}, {3, 5}};
  for (DType dtype : {kFloat32, kFloat64}) {
    for (const auto& [name, make] : makers) {
      INFO(name << " in " << dtype);
      auto make_params = [&] {
        std::vector<Tensor> params;
        for (size_t i = 0; i < shapes.size(); ++i) {
          const Layout layout = i == 3 ? Layout::Transposed : Layout::Contiguous;
          params.push_back(make_tensor(shapes[i], dtype, -1, 1, 10 + i, layout).requires_grad_());
        }
        return params;
      };
      std::vector<Tensor> together = make_params(), apart = make_params();
      CHECK_FALSE(together[3].is_contiguous());
      std::unique_ptr<optim::Optimizer> one = make(together);
      std::vector<std::unique_ptr<optim::Optimizer>> each;
      for (const Tensor& p : apart) each.push_back(make({p}));
      for (int step = 0; step < 3; ++step) {
        for (size_t i = 0; i < shapes.size(); ++i) {
          const Tensor grad = make_tensor(shapes[i], dtype, -1, 1, 100 * step + i).contiguous();
          together[i].set_grad(grad.clone());
          apart[i].set_grad(grad.clone());
        }
        set_num_threads(2);
        one->step();
        set_num_threads(1);
        for (auto& opt : each) opt->step();
        set_num_threads(2);
      }
      for (size_t i = 0; i < shapes.size(); ++i) {
        INFO("parameter " << i << " of shape " << shapes[i]);
        check_close(together[i], apart[i], 0, 0);
      }
    }
  }
}

TEST_CASE("step() is not recorded and bumps the parameters' versions", "[optim]") {
  Problem problem;
  optim::SGD sgd(problem.params(), {.lr = 0.1});
  problem.loss().backward();
  const Tensor saved_w = problem.w * problem.w;  // saves w for its backward
  sgd.step();
  CHECK(problem.w.is_leaf());
  CHECK_FALSE(problem.w.grad_fn());
  REQUIRE_ERROR(saved_w.sum().backward(), "modified by an inplace operation");
}

TEST_CASE("zero_grad drops gradients or zeroes them in place", "[optim]") {
  Problem problem;
  optim::SGD sgd(problem.params(), {.lr = 0.1});
  problem.loss().backward();
  sgd.zero_grad(/*set_to_none=*/false);
  check_close(problem.w.grad(), std::vector<double>(12, 0.0));
  const void* storage = problem.w.grad().data_ptr();
  problem.loss().backward();
  CHECK(problem.w.grad().data_ptr() == storage);  // accumulated into the zeroed tensor
  sgd.zero_grad();
  CHECK_FALSE(problem.w.grad().defined());
  CHECK_FALSE(problem.unused.grad().defined());
}

TEST_CASE("param_groups() options are read at every step", "[optim]") {
  Problem problem;
  optim::SGD sgd({{.params = {problem.w}}, {.params = {problem.b}, .options = optim::SGDOptions{.lr = 0.5}}},
                 {.lr = 0.1});
  REQUIRE(sgd.param_groups().size() == 2);
  CHECK(sgd.param_groups()[0].options->lr == 0.1);  // the defaults
  CHECK(sgd.param_groups()[1].options->lr == 0.5);
  CHECK(sgd.lr(1) == 0.5);
  sgd.param_groups()[0].options->lr = 0;
  sgd.set_lr(1, 0);
  problem.loss().backward();
  sgd.step();
  check_close(problem.w, golden::W0);
  check_close(problem.b, golden::B0);
  // A group added later steps too.
  sgd.add_param_group({.params = {problem.s}, .options = optim::SGDOptions{.lr = 1.0}});
  CHECK(sgd.num_param_groups() == 3);
  const std::vector<double> s_before = problem.s.to_vector<double>(), grad = problem.s.grad().to_vector<double>();
  sgd.step();
  std::vector<double> expected;
  for (size_t i = 0; i < grad.size(); ++i) expected.push_back(s_before[i] - grad[i]);
  check_close(problem.s, expected);
  REQUIRE_ERROR(sgd.lr(3), "SGD: expected a parameter group index < 3, got 3");
}

TEST_CASE("optimizer options are checked as PyTorch checks them", "[optim][errors]") {
  const std::vector<Tensor> p = {zeros({2}).requires_grad_()};
  REQUIRE_ERROR(optim::SGD(p), "SGD: expected a learning rate (lr has no default), got none");
  REQUIRE_ERROR(optim::SGD(p, {.lr = -0.1}), "SGD: invalid learning rate: expected lr >= 0, got -0.1");
  REQUIRE_ERROR(optim::SGD(p, {.lr = 0.1, .momentum = -1}), "SGD: invalid momentum value");
  REQUIRE_ERROR(optim::SGD(p, {.lr = 0.1, .weight_decay = -1}), "SGD: invalid weight_decay value");
  REQUIRE_ERROR(optim::SGD(p, {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}),
                "SGD: Nesterov momentum requires a momentum and zero dampening, got momentum 0.9 and dampening 0.1");
  REQUIRE_ERROR(optim::SGD(p, {.lr = 0.1, .nesterov = true}), "Nesterov momentum requires a momentum");
  REQUIRE_ERROR(optim::Adam(p, {.lr = -1}), "Adam: invalid learning rate");
  REQUIRE_ERROR(optim::Adam(p, {.eps = -1}), "Adam: invalid epsilon value: expected eps >= 0, got -1");
  REQUIRE_ERROR(optim::Adam(p, {.betas = {1.0, 0.999}}),
                "Adam: invalid beta parameter at index 0: expected 0 <= betas.first < 1, got 1");
  REQUIRE_ERROR(optim::Adam(p, {.betas = {0.9, -0.1}}), "Adam: invalid beta parameter at index 1");
  REQUIRE_ERROR(optim::Adam(p, {.weight_decay = -1}), "Adam: invalid weight_decay value");
  REQUIRE_ERROR(optim::AdamW(p, {.betas = {0.9, 1.5}}), "AdamW: invalid beta parameter at index 1");
  REQUIRE_ERROR(optim::AdamW(p, {.lr = -1}), "AdamW: invalid learning rate");
  REQUIRE_ERROR(optim::RMSprop(p, {.lr = -1}), "RMSprop: invalid learning rate");
  REQUIRE_ERROR(optim::RMSprop(p, {.alpha = -0.5}), "RMSprop: invalid alpha value: expected alpha >= 0, got -0.5");
  REQUIRE_ERROR(optim::RMSprop(p, {.eps = -1}), "RMSprop: invalid epsilon value");
  REQUIRE_ERROR(optim::RMSprop(p, {.weight_decay = -1}), "RMSprop: invalid weight_decay value");
  REQUIRE_ERROR(optim::RMSprop(p, {.momentum = -1}), "RMSprop: invalid momentum value");
  REQUIRE_ERROR(optim::Adagrad(p, {.lr = -1}), "Adagrad: invalid learning rate");
  REQUIRE_ERROR(optim::Adagrad(p, {.lr_decay = -1}), "Adagrad: invalid lr_decay value");
  REQUIRE_ERROR(optim::Adagrad(p, {.weight_decay = -1}), "Adagrad: invalid weight_decay value");
  REQUIRE_ERROR(optim::Adagrad(p, {.initial_accumulator_value = -1}), "Adagrad: invalid initial_accumulator_value");
  REQUIRE_ERROR(optim::Adagrad(p, {.eps = -1}), "Adagrad: invalid epsilon value");
  // A group's own options are checked like the defaults.
  REQUIRE_ERROR(optim::Adam({{.params = p, .options = optim::AdamOptions{.lr = -2}}}), "Adam: invalid learning rate");
  optim::Adam adam(p);
  REQUIRE_ERROR(
      adam.add_param_group({.params = {ones({1}).requires_grad_()}, .options = optim::AdamOptions{.eps = -1}}),
      "Adam: invalid epsilon value");
  CHECK(adam.num_param_groups() == 1);
}

TEST_CASE("optimizers reject bad parameter lists and parameters they cannot step", "[optim][errors]") {
  REQUIRE_ERROR(optim::Adam(std::vector<Tensor>{}), "Adam: optimizer got an empty parameter list");
  REQUIRE_ERROR(optim::Adam(std::vector<optim::Adam::Group>{}), "Adam: optimizer got an empty parameter list");
  const Tensor leaf = ones({2}).requires_grad_();
  REQUIRE_ERROR(optim::Adam({leaf * 2}), "Adam: can't optimize a non-leaf Tensor");
  REQUIRE_ERROR(optim::Adam({leaf, leaf}), "Adam: some parameters appear more than once");
  REQUIRE_ERROR(optim::SGD({{.params = {leaf}}, {.params = {leaf}}}, {.lr = 1}),
                "SGD: some parameters appear more than once");
  REQUIRE_ERROR(optim::Adam({Tensor()}), "Adam: expected defined parameters, got an undefined tensor at index 0");
  const Tensor half = ones({3}, kFloat16).requires_grad_();
  optim::Adam adam({half});
  adam.step();  // no gradient yet: nothing to check
  half.set_grad(ones({3}, kFloat16));
  REQUIRE_ERROR(adam.step(),
                "Adam.step: expected float32 or float64 parameters, got a parameter of shape [3] and dtype float16");
}
