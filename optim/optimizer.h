// Optimizer: the base of every optimizer. It owns what they all share: the
// per-parameter state, zero_grad(), state_dict()/load_state_dict(), and the
// view of parameter groups that LR schedulers use. Options, groups and the
// update math live in optim/grouped_optimizer.h and in each optimizer's file.
#pragma once

#include <ember/core/tensor.h>
#include <ember/nn/state_dict.h>

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace ember::optim {

// SGD's lr has no default (PyTorch's `required`): an SGDOptions built without
// .lr holds this, and the constructor rejects it.
inline constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

// One hyperparameter of a group, by PyTorch's name: how state_dict() and
// OneCycleLR see an options struct without knowing its type.
struct OptionField {
  std::string_view name;
  std::variant<double*, bool*, std::pair<double, double>*> value;
};

// What an optimizer remembers about one parameter (PyTorch's optimizer.state[p]).
struct ParamState {
  // False until the first step that saw a gradient (Adagrad: from construction),
  // like PyTorch's empty state dict; state_dict() leaves such parameters out.
  bool initialized = false;
  double step = 0;              // steps taken, for the optimizers that count them
  std::vector<Tensor> buffers;  // in StateLayout::buffers order; undefined: not created
};

// The state an optimizer keeps per parameter, described once.
struct StateLayout {
  bool has_step = false;             // saved as "state.<i>.step"
  std::vector<std::string> buffers;  // PyTorch's names: "exp_avg", "momentum_buffer", ...
};

// state_dict() keys (PyTorch's nested dict, flattened with dots; <i> is the
// parameter's index counting through all groups in order, as PyTorch numbers them):
//   state.<i>.step              0-d float64: steps taken (optimizers that count steps)
//   state.<i>.<buffer>          the parameter's shape and dtype: exp_avg, exp_avg_sq,
//                               max_exp_avg_sq, momentum_buffer, square_avg, grad_avg, sum
//   param_groups.<g>.<option>   0-d float64 for numbers and flags (1 or 0); betas: 1-d
//                               float64 of 2; e.g. param_groups.0.lr, param_groups.0.amsgrad
//   param_groups.<g>.initial_lr 0-d float64, once an LR scheduler has set it
//   param_groups.<g>.params     1-d int64: the indices <i> of the group's parameters
// Parameters without state (never stepped) have no state.<i> keys. The tensors
// are copies: training on does not change a saved dict (PyTorch's alias the state).
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient; others are skipped.
  virtual void step() = 0;
  // Clears every parameter's gradient: set_to_none (PyTorch's default) drops
  // it, otherwise it is zeroed in place.
  void zero_grad(bool set_to_none = true);

  nn::StateDict state_dict() const;
  // Validates every key, shape and option first, so a bad dict changes nothing.
  void load_state_dict(const nn::StateDict& state);

  // "Adam", "SGD", ...: the prefix of every error message.
  const std::string& name() const { return name_; }
  const StateLayout& state_layout() const { return layout_; }

  // The state kept for param (null if it has none yet).
  const ParamState* state(const Tensor& param) const;
  // The state kept for param, created empty on first use: for optimizer implementations.
  ParamState& state_for(const Tensor& param);

  // ---- groups, whatever the options type: what schedulers and clip_grad use ----
  virtual size_t num_param_groups() const = 0;
  virtual const std::vector<Tensor>& params(size_t group) const = 0;
  virtual double lr(size_t group) const = 0;
  virtual void set_lr(size_t group, double lr) = 0;
  // Set by the first LR scheduler attached (PyTorch's group["initial_lr"]).
  virtual std::optional<double>& initial_lr(size_t group) = 0;
  // The group's options by name, as pointers into the group.
  virtual std::vector<OptionField> group_fields(size_t group) = 0;
  // Throws if the group's options are invalid (PyTorch's constructor checks).
  virtual void check_group(size_t group) const = 0;

 protected:
  Optimizer(std::string name, StateLayout layout) : name_(std::move(name)), layout_(std::move(layout)) {}

  // Rejects undefined, non-leaf and duplicate parameters (PyTorch's add_param_group checks).
  void check_new_params(const std::vector<Tensor>& params) const;

 private:
  // Keyed by the parameter's TensorImpl, as PyTorch keys state by the parameter
  // object; the entry holds the parameter so that the key cannot be reused.
  struct Entry {
    Tensor param;
    ParamState state;
  };
  std::string name_;
  StateLayout layout_;
  std::unordered_map<const TensorImpl*, Entry> state_;
};

}  // namespace ember::optim
