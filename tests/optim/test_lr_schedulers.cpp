// Tests optim/lr_scheduler.cpp and every schedule (step_lr.cpp ...
// reduce_lr_on_plateau.cpp): 30-step lr (and OneCycleLR momentum) trajectories
// against PyTorch 1.13's golden values (tests/optim/make_golden.py), resuming
// through the optimizer's state dict, and every argument check.
#include "problem.h"

#include <functional>
#include <map>
#include <memory>

using namespace ember;
using namespace ember::testing;

namespace {

// The schedulers a case attaches to its optimizer, stepped together.
struct Schedules {
  std::vector<std::unique_ptr<optim::LRScheduler>> by_epoch;
  std::unique_ptr<optim::ReduceLROnPlateau> on_plateau;

  void step(double metric) {
    for (auto& scheduler : by_epoch) scheduler->step();
    if (on_plateau) on_plateau->step(metric);
  }
  const std::vector<double>& last_lr() const {
    return on_plateau ? on_plateau->get_last_lr() : by_epoch.back()->get_last_lr();
  }
};

// make_golden.py's optimizers: two groups (lr 0.1 and 0.05) over the problem's parameters.
std::unique_ptr<optim::Optimizer> sgd_two_groups(const Problem& p) {
  return std::make_unique<optim::SGD>(
      std::vector<optim::SGD::Group>{
          {.params = {p.w, p.b}},
          {.params = {p.s, p.unused}, .options = optim::SGDOptions{.lr = 0.05, .momentum = 0.9}}},
      optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
}
std::unique_ptr<optim::Optimizer> adam_two_groups(const Problem& p) {
  return std::make_unique<optim::Adam>(
      std::vector<optim::Adam::Group>{{.params = {p.w, p.b}},
                                      {.params = {p.s, p.unused}, .options = optim::AdamOptions{.lr = 0.05}}},
      optim::AdamOptions{.lr = 0.1});
}

// A resumed optimizer, as after load_state_dict: its groups have initial_lrs.
optim::Optimizer& with_initial_lr(optim::Optimizer& opt, std::vector<double> initial) {
  for (size_t g = 0; g < initial.size(); ++g) opt.initial_lr(g) = initial[g];
  return opt;
}

template <class Scheduler, class Options>
Schedules one(optim::Optimizer& opt, Options options) {
  Schedules s;
  s.by_epoch.push_back(std::make_unique<Scheduler>(opt, options));
  return s;
}

using Attach = std::function<Schedules(optim::Optimizer&)>;
struct Case {
  bool adam;
  Attach attach;
};

// make_golden.py's SCHEDULERS and ADAM_SCHEDULERS, by the same names.
const std::map<std::string, Case>& cases() {
  using namespace optim;
  static const std::map<std::string, Case> table = {
      {"step_lr", {false, [](Optimizer& o) { return one<StepLR>(o, StepLROptions{.step_size = 4, .gamma = 0.5}); }}},
      {"multi_step_lr",
       {false,
        [](Optimizer& o) {
          return one<MultiStepLR>(o, MultiStepLROptions{.milestones = {3, 7, 7, 12}, .gamma = 0.3});
        }}},
      {"exponential_lr",
       {false, [](Optimizer& o) { return one<ExponentialLR>(o, ExponentialLROptions{.gamma = 0.9}); }}},
      {"cosine_annealing_lr",
       {false,
        [](Optimizer& o) {
          return one<CosineAnnealingLR>(o, CosineAnnealingLROptions{.T_max = 10, .eta_min = 0.001});
        }}},
      {"linear_lr",
       {false, [](Optimizer& o) { return one<LinearLR>(o, LinearLROptions{.start_factor = 0.25, .total_iters = 8}); }}},
      {"linear_lr_decay",
       {false,
        [](Optimizer& o) {
          return one<LinearLR>(o, LinearLROptions{.start_factor = 1.0, .end_factor = 0.1, .total_iters = 10});
        }}},
      {"linear_then_exponential",
       {false,
        [](Optimizer& o) {
          Schedules s = one<LinearLR>(o, LinearLROptions{.start_factor = 0.5, .total_iters = 4});
          s.by_epoch.push_back(std::make_unique<ExponentialLR>(o, ExponentialLROptions{.gamma = 0.95}));
          return s;
        }}},
      {"one_cycle_lr",
       {false,
        [](Optimizer& o) {
          return one<OneCycleLR>(o, OneCycleLROptions{.max_lr = {1.0, 0.5}, .total_steps = 30});
        }}},
      {"step_lr_resumed",
       {false,
        [](Optimizer& o) {
          return one<StepLR>(with_initial_lr(o, {0.2, 0.1}),
                             StepLROptions{.step_size = 3, .gamma = 0.5, .last_epoch = 7});
        }}},
      {"cosine_annealing_lr_resumed",
       {false,
        [](Optimizer& o) {
          return one<CosineAnnealingLR>(with_initial_lr(o, {0.2, 0.1}),
                                        CosineAnnealingLROptions{.T_max = 10, .last_epoch = 4});
        }}},
      {"reduce_lr_on_plateau",
       {false,
        [](Optimizer& o) {
          Schedules s;
          s.on_plateau = std::make_unique<ReduceLROnPlateau>(
              o, ReduceLROnPlateauOptions{
                     .factor = 0.5, .patience = 2, .threshold = 0.01, .cooldown = 1, .min_lr = {0.01, 0.02}});
          return s;
        }}},
      {"reduce_lr_on_plateau_max_abs",
       {false,
        [](Optimizer& o) {
          Schedules s;
          s.on_plateau = std::make_unique<ReduceLROnPlateau>(o, ReduceLROnPlateauOptions{.mode = "max",
                                                                                         .factor = 0.3,
                                                                                         .patience = 1,
                                                                                         .threshold = 0.05,
                                                                                         .threshold_mode = "abs",
                                                                                         .eps = 1e-3});
          return s;
        }}},
      {"one_cycle_lr_linear_three_phase",
       {true,
        [](Optimizer& o) {
          return one<OneCycleLR>(o, OneCycleLROptions{.max_lr = {0.01},
                                                      .total_steps = 30,
                                                      .pct_start = 0.25,
                                                      .anneal_strategy = "linear",
                                                      .base_momentum = {0.8},
                                                      .max_momentum = {0.9},
                                                      .three_phase = true});
        }}},
  };
  return table;
}

std::vector<double> momenta_of(optim::Optimizer& opt) {
  std::vector<double> out;
  for (size_t g = 0; g < opt.num_param_groups(); ++g) {
    for (const optim::OptionField& field : opt.group_fields(g)) {
      if (field.name == "momentum") out.push_back(*std::get<double*>(field.value));
      if (field.name == "betas") out.push_back(std::get<std::pair<double, double>*>(field.value)->first);
    }
  }
  return out;
}

std::vector<double> lrs_of(const optim::Optimizer& opt) {
  std::vector<double> out;
  for (size_t g = 0; g < opt.num_param_groups(); ++g) out.push_back(opt.lr(g));
  return out;
}

}  // namespace

TEST_CASE("every LR scheduler follows PyTorch's 30-step trajectory", "[optim][golden]") {
  for (const golden::SchedulerCase& golden_case : golden::kSchedulerCases) {
    INFO("case " << golden_case.name);
    REQUIRE(cases().count(golden_case.name));
    const Case& c = cases().at(golden_case.name);
    Problem problem;
    std::unique_ptr<optim::Optimizer> opt = c.adam ? adam_two_groups(problem) : sgd_two_groups(problem);
    Schedules schedules = c.attach(*opt);
    check_step(lrs_of(*opt), golden_case.lrs[0], 1e-6, 1e-15);
    check_step(momenta_of(*opt), golden_case.momenta[0], 1e-6, 1e-15);
    for (size_t t = 1; t < golden_case.lrs.size(); ++t) {
      INFO("after step " << t);
      opt->step();
      schedules.step(golden::kMetrics[t - 1]);
      check_step(lrs_of(*opt), golden_case.lrs[t], 1e-6, 1e-15);
      check_step(schedules.last_lr(), golden_case.lrs[t], 1e-6, 1e-15);
      check_step(momenta_of(*opt), golden_case.momenta[t], 1e-6, 1e-15);
    }
  }
  CHECK(cases().size() == golden::kSchedulerCases.size());
}

TEST_CASE("a scheduler resumes through the optimizer's state dict", "[optim]") {
  Problem first, second;
  std::unique_ptr<optim::Optimizer> opt = sgd_two_groups(first);
  optim::CosineAnnealingLR scheduler(*opt, {.T_max = 12});
  for (int t = 0; t < 5; ++t) scheduler.step();
  CHECK(scheduler.last_epoch() == 5);
  CHECK(scheduler.base_lrs() == std::vector<double>{0.1, 0.05});
  const nn::StateDict state = opt->state_dict();
  scheduler.step();
  const std::vector<double> next = scheduler.get_last_lr();

  std::unique_ptr<optim::Optimizer> resumed = sgd_two_groups(second);
  REQUIRE_ERROR(optim::CosineAnnealingLR(*resumed, {.T_max = 12, .last_epoch = 5}),
                "CosineAnnealingLR: param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer");
  resumed->load_state_dict(state);
  optim::CosineAnnealingLR resumed_scheduler(*resumed, {.T_max = 12, .last_epoch = 5});
  // PyTorch's resume step re-derives epoch 6 from the closed form.
  check_step(resumed_scheduler.get_last_lr(), next, 1e-12, 0);
}

TEST_CASE("OneCycleLR stops after total_steps and needs a momentum to cycle", "[optim][errors]") {
  Problem problem;
  std::unique_ptr<optim::Optimizer> sgd = sgd_two_groups(problem);
  optim::OneCycleLR scheduler(*sgd, {.max_lr = {0.1}, .total_steps = 3});
  for (int t = 0; t < 3; ++t) scheduler.step();
  REQUIRE_ERROR(scheduler.step(), "OneCycleLR: tried to step 5 times; the specified number of total steps is 3");
  optim::Adagrad adagrad(problem.params());
  REQUIRE_ERROR(optim::OneCycleLR(adagrad, {.max_lr = {0.1}, .total_steps = 3}),
                "OneCycleLR: optimizer must support momentum with `cycle_momentum` option enabled (Adagrad has neither "
                "momentum nor betas)");
  optim::OneCycleLR without_momentum(adagrad,
                                     {.max_lr = {0.1}, .epochs = 2, .steps_per_epoch = 5, .cycle_momentum = false});
  CHECK(without_momentum.total_steps() == 10);
  CHECK(adagrad.lr(0) == Approx(0.1 / 25));
}

TEST_CASE("LR scheduler arguments are checked", "[optim][errors]") {
  Problem problem;
  std::unique_ptr<optim::Optimizer> opt = sgd_two_groups(problem);
  using namespace optim;
  REQUIRE_ERROR(StepLR(*opt, {}), "StepLR: expected step_size > 0 (it has no default), got 0");
  REQUIRE_ERROR(StepLR(*opt, {.step_size = 2, .last_epoch = -2}), "StepLR: expected last_epoch >= -1, got -2");
  REQUIRE_ERROR(ExponentialLR(*opt, {}), "ExponentialLR: expected a gamma (it has no default), got none");
  REQUIRE_ERROR(CosineAnnealingLR(*opt, {}), "CosineAnnealingLR: expected T_max > 0 (it has no default), got 0");
  REQUIRE_ERROR(LinearLR(*opt, {.start_factor = 0}),
                "LinearLR: starting multiplicative factor expected to be greater than 0");
  REQUIRE_ERROR(LinearLR(*opt, {.start_factor = 1.5}), "got start_factor 1.5");
  REQUIRE_ERROR(LinearLR(*opt, {.end_factor = 2}),
                "LinearLR: ending multiplicative factor expected to be between 0 and 1");
  REQUIRE_ERROR(LinearLR(*opt, {.total_iters = 0}), "LinearLR: expected total_iters > 0, got 0");
  REQUIRE_ERROR(OneCycleLR(*opt, {.max_lr = {0.1}}),
                "OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)");
  REQUIRE_ERROR(OneCycleLR(*opt, {.max_lr = {0.1}, .total_steps = 0}),
                "OneCycleLR: expected positive integer total_steps, but got 0");
  REQUIRE_ERROR(OneCycleLR(*opt, {.max_lr = {0.1}, .epochs = 0, .steps_per_epoch = 2}),
                "expected positive integer epochs");
  REQUIRE_ERROR(OneCycleLR(*opt, {.max_lr = {0.1}, .epochs = 2, .steps_per_epoch = -1}),
                "expected positive integer steps_per_epoch");
  REQUIRE_ERROR(OneCycleLR(*opt, {.max_lr = {0.1}, .total_steps = 5, .pct_start = 1.5}),
                "OneCycleLR: expected float between 0 and 1 pct_start, but got 1.5");
  REQUIRE_ERROR(OneCycleLR(*opt, {.max_lr = {0.1}, .total_steps = 5, .anneal_strategy = "cosine"}),
                "OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got 'cosine'");
  REQUIRE_ERROR(OneCycleLR(*opt, {.max_lr = {0.1, 0.2, 0.3}, .total_steps = 5}),
                "OneCycleLR: expected 1 or 2 values for max_lr, got 3");
  REQUIRE_ERROR(OneCycleLR(*opt, {.total_steps = 5}), "OneCycleLR: expected a max_lr (it has no default), got none");
  REQUIRE_ERROR(ReduceLROnPlateau(*opt, {.factor = 1.0}), "ReduceLROnPlateau: factor should be < 1.0, got 1");
  REQUIRE_ERROR(ReduceLROnPlateau(*opt, {.mode = "lowest"}), "ReduceLROnPlateau: mode 'lowest' is unknown!");
  REQUIRE_ERROR(ReduceLROnPlateau(*opt, {.threshold_mode = "relative"}),
                "ReduceLROnPlateau: threshold mode 'relative' is unknown!");
  REQUIRE_ERROR(ReduceLROnPlateau(*opt, {.min_lr = {0.1, 0.2, 0.3}}),
                "ReduceLROnPlateau: expected 1 or 2 min_lrs (one per parameter group), got 3");
  // A group added after the scheduler was built.
  StepLR scheduler(*opt, {.step_size = 2});
  ReduceLROnPlateau plateau(*opt);
  static_cast<SGD&>(*opt).add_param_group({.params = {ones({1}).requires_grad_()}});
  REQUIRE_ERROR(scheduler.step(),
                "StepLR.step: the optimizer has 3 parameter groups, but the scheduler was built for 2");
  REQUIRE_ERROR(plateau.step(1.0), "ReduceLROnPlateau.step: the optimizer has 3 parameter groups");
}
