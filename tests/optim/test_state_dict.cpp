// Tests Optimizer::state_dict() and load_state_dict() (optim/optimizer.cpp):
// the key scheme, round trips for every golden optimizer case, snapshots, and
// every way a loaded dict can be wrong (with the optimizer left unchanged).
#include "cases.h"

#include <algorithm>

using namespace ember;
using namespace ember::testing;

namespace {

nn::StateDict with(nn::StateDict state, const std::string& key, const Tensor& value) {
  auto it = std::find_if(state.begin(), state.end(), [&](const auto& entry) { return entry.first == key; });
  if (it == state.end())
    state.emplace_back(key, value);
  else
    it->second = value;
  return state;
}

nn::StateDict without(nn::StateDict state, const std::string& key) {
  std::erase_if(state, [&](const auto& entry) { return entry.first == key; });
  return state;
}

}  // namespace

TEST_CASE("state_dict flattens PyTorch's state and param_groups", "[optim][state_dict]") {
  Problem problem;
  optim::Adam adam({{.params = {problem.w, problem.b}, .options = optim::AdamOptions{.lr = 0.02, .amsgrad = true}},
                    {.params = {problem.s, problem.unused}}});
  train_step(adam, problem);
  train_step(adam, problem);
  const nn::StateDict state = adam.state_dict();
  std::vector<std::string> expected;
  for (int i : {0, 1, 2}) {  // `unused` (3) never had a gradient: no state
    for (const char* name : {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}) {
      if (i == 2 && std::string(name) == "max_exp_avg_sq") continue;  // its group has no amsgrad
      expected.push_back(fmt::format("state.{}.{}", i, name));
    }
  }
  for (int g : {0, 1}) {
    for (const char* name : {"lr", "betas", "eps", "weight_decay", "amsgrad", "params"}) {
      expected.push_back(fmt::format("param_groups.{}.{}", g, name));
    }
  }
  CHECK(keys_of(state) == expected);
  const Tensor step = *nn::find(state, "state.0.step");
  CHECK(step.dim() == 0);
  CHECK(step.dtype() == kFloat64);
  CHECK(step.item<double>() == 2);
  CHECK(nn::find(state, "state.1.exp_avg")->shape() == Shape{3});
  check_close(*nn::find(state, "param_groups.0.lr"), {0.02});
  check_close(*nn::find(state, "param_groups.1.lr"), {1e-3});
  check_close(*nn::find(state, "param_groups.0.betas"), {0.9, 0.999});
  check_close(*nn::find(state, "param_groups.0.amsgrad"), {1});
  check_close(*nn::find(state, "param_groups.1.amsgrad"), {0});
  CHECK(nn::find(state, "param_groups.1.params")->dtype() == kInt64);
  CHECK(nn::find(state, "param_groups.1.params")->to_vector<int64_t>() == std::vector<int64_t>{2, 3});
  // SGD without momentum keeps no state; an LR scheduler's initial_lr is saved with its group.
  optim::SGD sgd(problem.params(), {.lr = 0.1});
  sgd.step();
  optim::StepLR scheduler(sgd, {.step_size = 2});
  CHECK(keys_of(sgd.state_dict()) == std::vector<std::string>{"param_groups.0.lr", "param_groups.0.momentum",
                                                              "param_groups.0.dampening", "param_groups.0.weight_decay",
                                                              "param_groups.0.nesterov", "param_groups.0.initial_lr",
                                                              "param_groups.0.params"});
}

TEST_CASE("state_dict round trips: a loaded optimizer continues exactly as the saved one", "[optim][state_dict]") {
  for (const auto& [name, make] : factories()) {
    INFO("case " << name);
    Problem original;
    std::unique_ptr<optim::Optimizer> saved_from = make(original.params());
    for (int t = 0; t < 5; ++t) train_step(*saved_from, original);
    const nn::StateDict state = saved_from->state_dict();
    nn::StateDict snapshot;
    for (const auto& [key, value] : state) snapshot.emplace_back(key, value.clone());
    const std::vector<double> params_at_save = original.flat();
    for (int t = 0; t < 5; ++t) train_step(*saved_from, original);

    // A fresh problem at the saved parameter values, with a fresh optimizer
    // whose lrs differ: load_state_dict must restore options and state.
    Problem resumed;
    {
      NoGradGuard no_grad;
      size_t at = 0;
      for (Tensor p : resumed.params()) {
        std::vector<double> part(params_at_save.begin() + static_cast<int64_t>(at),
                                 params_at_save.begin() + static_cast<int64_t>(at + p.numel()));
        p.copy_(Problem::values(part, p.shape(), kFloat64));
        at += static_cast<size_t>(p.numel());
      }
    }
    std::unique_ptr<optim::Optimizer> loaded = make(resumed.params());
    for (size_t g = 0; g < loaded->num_param_groups(); ++g) loaded->set_lr(g, 123.0);
    loaded->load_state_dict(state);
    for (size_t g = 0; g < loaded->num_param_groups(); ++g) CHECK(loaded->lr(g) == saved_from->lr(g));
    for (int t = 0; t < 5; ++t) train_step(*loaded, resumed);
    check_step(resumed.flat(), original.flat(), 0, 0);

    // The saved dict was a snapshot: training on did not change it.
    REQUIRE(state.size() == snapshot.size());
    for (size_t i = 0; i < state.size(); ++i) {
      INFO(state[i].first);
      check_close(state[i].second, snapshot[i].second, 0, 0);
    }
  }
}

TEST_CASE("load_state_dict casts state to the parameters' dtype", "[optim][state_dict]") {
  Problem single(kFloat32), twin;
  optim::RMSprop from(single.params(), {.momentum = 0.5});
  train_step(from, single);
  optim::RMSprop to(twin.params());
  to.load_state_dict(from.state_dict());
  REQUIRE(to.state(twin.w) != nullptr);
  CHECK(to.state(twin.w)->buffers[0].dtype() == kFloat64);
  CHECK(to.state(twin.w)->step == 1);
  CHECK(to.param_groups()[0].options->momentum == 0.5);
}

TEST_CASE("load_state_dict rejects a wrong dict and changes nothing", "[optim][state_dict][errors]") {
  Problem problem;
  optim::Adam adam(problem.params(), {.lr = 0.01, .amsgrad = true});
  train_step(adam, problem);
  const nn::StateDict good = adam.state_dict();
  const std::string op = "Adam.load_state_dict: ";
  REQUIRE_ERROR(adam.load_state_dict(with(good, "foo", zeros({}))),
                op + "unexpected key 'foo' (expected state.<i>.<name> or param_groups.<g>.<name>)");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "state.x.exp_avg", zeros({}))),
                op + "unexpected key 'state.x.exp_avg'");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "state.0.bogus", zeros({}))),
                op + "unexpected key 'state.0.bogus': Adam keeps no state named 'bogus'");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "param_groups.0.bogus", zeros({}))),
                op + "unexpected key 'param_groups.0.bogus': Adam has no option named 'bogus'");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "param_groups.1.lr", zeros({}))),
                op + "loaded state dict has a different number of parameter groups: the optimizer has 1, got key "
                     "'param_groups.1.lr'");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "param_groups.0.params", tensor({0, 1, 2}))),
                op + "loaded state dict contains a parameter group that doesn't match the size of optimizer's group: "
                     "expected 4 parameters in group 0, got 3");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "param_groups.0.params", tensor({0.0, 1.0, 2.0, 3.0}))),
                op + "expected 'param_groups.0.params' to be a 1-d int64 tensor of parameter indices");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "state.0.exp_avg", zeros({5}, kFloat64))),
                op + "expected 'state.0.exp_avg' to have the shape of its parameter, [3, 4], got [5]");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "state.0.exp_avg", zeros({3, 4}, kInt64))),
                op + "expected a floating point tensor under 'state.0.exp_avg', got int64");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "state.0.step", zeros({2}))),
                op + "expected 'state.0.step' to be a 0-d tensor, got shape [2]");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "state.7.exp_avg", zeros({3, 4}))),
                op + "key 'state.7.exp_avg' refers to parameter 7, which no group lists");
  REQUIRE_ERROR(adam.load_state_dict(without(good, "param_groups.0.eps")), op + "missing key 'param_groups.0.eps'");
  REQUIRE_ERROR(adam.load_state_dict(without(good, "param_groups.0.params")),
                op + "missing key 'param_groups.0.params'");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "param_groups.0.amsgrad", scalar_tensor(0.5, kFloat64))),
                op + "expected 'param_groups.0.amsgrad' to be 0 or 1 (a flag), got 0.5");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "param_groups.0.betas", tensor({0.9}, kFloat64))),
                op + "expected 'param_groups.0.betas' to hold 2 values, got shape [1]");
  REQUIRE_ERROR(adam.load_state_dict(with(good, "state.0.exp_avg", Tensor())),
                op + "expected a defined tensor under 'state.0.exp_avg'");
  // Valid keys, invalid option: the constructor's check, and the old options stay.
  REQUIRE_ERROR(adam.load_state_dict(with(good, "param_groups.0.lr", scalar_tensor(-1.0, kFloat64))),
                "Adam: invalid learning rate: expected lr >= 0, got -1");
  CHECK(adam.lr(0) == 0.01);
  REQUIRE(adam.state(problem.w) != nullptr);
  CHECK(adam.state(problem.w)->step == 1);
  // And the good dict still loads.
  adam.load_state_dict(good);
  CHECK(adam.state(problem.w)->step == 1);
  CHECK(adam.param_groups()[0].options->amsgrad);
}
