// The optimizers of tests/optim/make_golden.py's OPTIMIZERS, by the same
// names, shared by the trajectory and state-dict tests.
#pragma once

#include "problem.h"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ember::testing {

using Factory = std::function<std::unique_ptr<optim::Optimizer>(const std::vector<Tensor>&)>;

inline const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table = {
      {"sgd", [](const auto& p) { return std::make_unique<optim::SGD>(p, optim::SGDOptions{.lr = 0.1}); }},
      {"sgd_momentum",
       [](const auto& p) { return std::make_unique<optim::SGD>(p, optim::SGDOptions{.lr = 0.05, .momentum = 0.9}); }},
      {"sgd_dampening_weight_decay",
       [](const auto& p) {
         return std::make_unique<optim::SGD>(
             p, optim::SGDOptions{.lr = 0.05, .momentum = 0.9, .dampening = 0.3, .weight_decay = 0.01});
       }},
      {"sgd_nesterov",
       [](const auto& p) {
         return std::make_unique<optim::SGD>(
             p, optim::SGDOptions{.lr = 0.05, .momentum = 0.9, .weight_decay = 1e-3, .nesterov = true});
       }},
      {"adam", [](const auto& p) { return std::make_unique<optim::Adam>(p, optim::AdamOptions{.lr = 0.05}); }},
      {"adam_amsgrad_weight_decay",
       [](const auto& p) {
         return std::make_unique<optim::Adam>(
             p, optim::AdamOptions{.lr = 0.05, .betas = {0.8, 0.99}, .weight_decay = 0.02, .amsgrad = true});
       }},
      {"adamw", [](const auto& p) { return std::make_unique<optim::AdamW>(p, optim::AdamWOptions{.lr = 0.05}); }},
      {"adamw_amsgrad",
       [](const auto& p) {
         return std::make_unique<optim::AdamW>(p,
                                               optim::AdamWOptions{.lr = 0.05, .weight_decay = 0.1, .amsgrad = true});
       }},
      {"rmsprop", [](const auto& p) { return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions{.lr = 0.01}); }},
      {"rmsprop_centered_momentum",
       [](const auto& p) {
         return std::make_unique<optim::RMSprop>(
             p,
             optim::RMSpropOptions{.lr = 0.01, .alpha = 0.9, .weight_decay = 0.01, .momentum = 0.5, .centered = true});
       }},
      {"adagrad", [](const auto& p) { return std::make_unique<optim::Adagrad>(p, optim::AdagradOptions{.lr = 0.1}); }},
      {"adagrad_lr_decay",
       [](const auto& p) {
         return std::make_unique<optim::Adagrad>(
             p, optim::AdagradOptions{
                    .lr = 0.1, .lr_decay = 0.05, .weight_decay = 0.01, .initial_accumulator_value = 0.1});
       }},
      {"sgd_two_groups",
       [](const auto& p) {
         return std::make_unique<optim::SGD>(
             std::vector<optim::SGD::Group>{
                 {.params = {p[0], p[1]}, .options = optim::SGDOptions{.lr = 0.1, .momentum = 0.9}},
                 {.params = {p[2], p[3]}}},
             optim::SGDOptions{.lr = 0.01, .momentum = 0.9});
       }},
      {"adam_two_groups",
       [](const auto& p) {
         return std::make_unique<optim::Adam>(
             std::vector<optim::Adam::Group>{
                 {.params = {p[0]}, .options = optim::AdamOptions{.lr = 0.02, .amsgrad = true}},
                 {.params = {p[1], p[2], p[3]}}},
             optim::AdamOptions{.lr = 0.05});
       }},
  };
  return table;
}

inline void train_step(optim::Optimizer& opt, const Problem& problem) {
  opt.zero_grad();
  problem.loss().backward();
  opt.step();
}

}  // namespace ember::testing
