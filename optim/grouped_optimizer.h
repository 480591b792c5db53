// ParamGroup<Options> and GroupedOptimizer<Options>: the typed layer between
// Optimizer and each optimizer. It holds the parameter groups with their
// options (PyTorch's optimizer.param_groups) and the defaults; the update math
// stays in each optimizer's file.
#pragma once

#include <ember/core/error.h>
#include <ember/optim/optimizer.h>

#include <concepts>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ember::optim {

// What an options struct provides: a learning rate, PyTorch's checks, and its
// fields by name (for state_dict() and OneCycleLR's momentum).
template <class O>
concept OptimizerOptions = requires(O options, const O& const_options, std::string_view optimizer) {
  { options.lr } -> std::convertible_to<double>;
  { options.fields() } -> std::same_as<std::vector<OptionField>>;
  const_options.validate(optimizer);
};

// Parameters that share options. An unset `options` takes the optimizer's
// defaults when the group is added. Unlike PyTorch's partial dicts, a group's
// options are whole: a C++ struct cannot tell a field left at its default from
// one set to the same value.
template <OptimizerOptions Options>
struct ParamGroup {
  // Default member initializers: a group written {.params = ...} leaves the
  // rest out without -Wmissing-field-initializers warnings.
  std::vector<Tensor> params = {};
  std::optional<Options> options = std::nullopt;
  std::optional<double> initial_lr = std::nullopt;  // set by the first LR scheduler (PyTorch's group["initial_lr"])
};

template <OptimizerOptions Options>
class GroupedOptimizer : public Optimizer {
 public:
  using Group = ParamGroup<Options>;

  // After construction every group's `options` is set. Editing a group's lr
  // (or any option) takes effect at the next step(), as in PyTorch.
  std::vector<Group>& param_groups() { return groups_; }
  const std::vector<Group>& param_groups() const { return groups_; }
  const Options& defaults() const { return defaults_; }

  // PyTorch's add_param_group: options default to defaults(); checked like the constructor's.
  void add_param_group(Group group) {
    if (!group.options) group.options = defaults_;
    group.options->validate(name());
    check_new_params(group.params);
    groups_.push_back(std::move(group));
  }

  size_t num_param_groups() const override { return groups_.size(); }
  const std::vector<Tensor>& params(size_t group) const override { return at(group).params; }
  double lr(size_t group) const override { return at(group).options->lr; }
  void set_lr(size_t group, double lr) override { at(group).options->lr = lr; }
  std::optional<double>& initial_lr(size_t group) override { return at(group).initial_lr; }
  std::vector<OptionField> group_fields(size_t group) override { return at(group).options->fields(); }
  void check_group(size_t group) const override { at(group).options->validate(name()); }

 protected:
  GroupedOptimizer(std::string name, StateLayout layout, std::vector<Group> groups, Options defaults)
      : Optimizer(std::move(name), std::move(layout)), defaults_(defaults) {
    defaults_.validate(this->name());
    EMBER_CHECK_VALUE(!groups.empty(), "{}: optimizer got an empty parameter list", this->name());
    for (Group& group : groups) add_param_group(std::move(group));
  }
  GroupedOptimizer(std::string name, StateLayout layout, std::vector<Tensor> params, Options defaults)
      : GroupedOptimizer(std::move(name), std::move(layout), one_group(std::move(params)), defaults) {}

 private:
  static std::vector<Group> one_group(std::vector<Tensor> params) {
    std::vector<Group> groups;
    if (!params.empty()) groups.push_back(Group{.params = std::move(params)});
    return groups;
  }
  Group& at(size_t group) {
    EMBER_CHECK_INDEX(group < groups_.size(), "{}: expected a parameter group index < {}, got {}", name(),
                      groups_.size(), group);
    return groups_[group];
  }
  const Group& at(size_t group) const { return const_cast<GroupedOptimizer*>(this)->at(group); }

  std::vector<Group> groups_;
  Options defaults_;
};

}  // namespace ember::optim
