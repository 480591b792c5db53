// Optimizer: zero_grad, the per-parameter state map, and state_dict() /
// load_state_dict() over the flattened key scheme documented in optimizer.h.
// Nothing here knows an optimizer's math or its options' types.
#include <ember/autograd/grad_mode.h>
#include <ember/ops/ops.h>
#include <ember/optim/optimizer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <span>
#include <unordered_set>

namespace ember::optim {

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (size_t g = 0; g < num_param_groups(); ++g) {
    for (const Tensor& param : params(g)) {
      Tensor grad = param.grad();
      if (!grad.defined()) continue;
      // A gradient with history (backward with create_graph) is replaced rather
      // than zeroed in place, so its graph is left alone (PyTorch detaches it).
      if (set_to_none)
        param.set_grad({});
      else if (grad.grad_fn())
        param.set_grad(zeros(grad.shape(), grad.options()));
      else
        grad.zero_();
    }
  }
}

const ParamState* Optimizer::state(const Tensor& param) const {
  auto it = state_.find(param.impl());
  return it == state_.end() ? nullptr : &it->second.state;
}

ParamState& Optimizer::state_for(const Tensor& param) {
  auto [it, inserted] = state_.try_emplace(param.impl());
  if (inserted) it->second.param = param;
  return it->second.state;
}

void Optimizer::check_new_params(const std::vector<Tensor>& new_params) const {
  std::unordered_set<const TensorImpl*> seen;
  for (size_t g = 0; g < num_param_groups(); ++g) {
    for (const Tensor& param : params(g)) seen.insert(param.impl());
  }
  for (size_t i = 0; i < new_params.size(); ++i) {
    const Tensor& param = new_params[i];
    EMBER_CHECK_VALUE(param.defined(), "{}: expected defined parameters, got an undefined tensor at index {}", name_,
                      i);
    EMBER_CHECK_VALUE(param.is_leaf(),
                      "{}: can't optimize a non-leaf Tensor (parameter {} of the group has a grad_fn); pass the leaf "
                      "it was computed from, or .detach().requires_grad_() it",
                      name_, i);
    EMBER_CHECK_VALUE(seen.insert(param.impl()).second,
                      "{}: some parameters appear more than once (parameter {} of the new group is already in this "
                      "or another parameter group)",
                      name_, i);
  }
}

namespace {

Tensor float64_scalar(double value) { return scalar_tensor(value, kFloat64); }

Tensor field_tensor(const OptionField& field) {
  return std::visit(
      [](auto* value) -> Tensor {
        using V = std::remove_pointer_t<decltype(value)>;
        if constexpr (std::is_same_v<V, std::pair<double, double>>)
          return tensor({value->first, value->second}, kFloat64);
        else
          return float64_scalar(static_cast<double>(*value));
      },
      field.value);
}

// Splits "state.3.exp_avg" into its three parts (exactly three, none empty).
std::optional<std::array<std::string_view, 3>> split_key(std::string_view key) {
  std::array<std::string_view, 3> parts;
  for (size_t i = 0; i < 2; ++i) {
    size_t dot = key.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    parts[i] = key.substr(0, dot);
    key.remove_prefix(dot + 1);
  }
  parts[2] = key;
  for (std::string_view part : parts) {
    if (part.empty()) return std::nullopt;
  }
  return parts;
}

std::optional<size_t> parse_index(std::string_view text) {
  size_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A loaded option value, before it is written into a group.
using FieldValue = std::variant<double, bool, std::pair<double, double>>;

FieldValue read_field(const OptionField& field) {
  return std::visit([](auto* value) -> FieldValue { return *value; }, field.value);
}

void write_field(const OptionField& field, const FieldValue& value) {
  std::visit([&](auto* target) { *target = std::get<std::remove_pointer_t<decltype(target)>>(value); }, field.value);
}

}  // namespace

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict out;
  size_t index = 0;
  for (size_t g = 0; g < num_param_groups(); ++g) {
    for (const Tensor& param : params(g)) {
      const std::string prefix = fmt::format("state.{}.", index++);
      const ParamState* st = state(param);
      if (!st || !st->initialized) continue;
      if (layout_.has_step) out.emplace_back(prefix + "step", float64_scalar(st->step));
      for (size_t b = 0; b < st->buffers.size() && b < layout_.buffers.size(); ++b) {
        if (st->buffers[b].defined()) out.emplace_back(prefix + layout_.buffers[b], st->buffers[b].clone());
      }
    }
  }
  index = 0;
  auto* self = const_cast<Optimizer*>(this);  // group_fields hands out pointers; here they are only read
  for (size_t g = 0; g < num_param_groups(); ++g) {
    const std::string prefix = fmt::format("param_groups.{}.", g);
    for (const OptionField& field : self->group_fields(g))
      out.emplace_back(prefix + std::string(field.name), field_tensor(field));
    if (const std::optional<double>& initial = self->initial_lr(g))
      out.emplace_back(prefix + "initial_lr", float64_scalar(*initial));
    Tensor indices = empty({static_cast<int64_t>(params(g).size())}, kInt64);
    for (int64_t& i : std::span(indices.data_ptr<int64_t>(), params(g).size())) i = static_cast<int64_t>(index++);
    out.emplace_back(prefix + "params", indices);
  }
  return out;
}

void Optimizer::load_state_dict(const nn::StateDict& state) {
  const std::string op = name_ + ".load_state_dict";
  const size_t groups = num_param_groups();
  std::vector<Tensor> all_params;
  for (size_t g = 0; g < groups; ++g) all_params.insert(all_params.end(), params(g).begin(), params(g).end());

  // Phase 1: sort every key into what it sets, checking it on the way.
  struct LoadedGroup {
    const Tensor* params = nullptr;
    std::optional<double> initial_lr;
    std::map<std::string, FieldValue, std::less<>> fields;
  };
  std::vector<LoadedGroup> loaded_groups(groups);
  std::map<size_t, std::pair<std::string, ParamState>> loaded_state;  // by saved parameter id
  std::vector<std::vector<OptionField>> fields(groups);
  for (size_t g = 0; g < groups; ++g) fields[g] = group_fields(g);

  auto scalar_of = [&](const std::string& key, const Tensor& value) {
    EMBER_CHECK_VALUE(value.numel() == 1 && value.dim() == 0, "{}: expected '{}' to be a 0-d tensor, got shape {}", op,
                      key, value.shape());
    return value.item<double>();
  };
  for (const auto& [key, value] : state) {
    EMBER_CHECK_VALUE(value.defined(), "{}: expected a defined tensor under '{}'", op, key);
    std::optional<std::array<std::string_view, 3>> parts = split_key(key);
    std::optional<size_t> index = parts ? parse_index((*parts)[1]) : std::nullopt;
    EMBER_CHECK_VALUE(index && ((*parts)[0] == "state" || (*parts)[0] == "param_groups"),
                      "{}: unexpected key '{}' (expected state.<i>.<name> or param_groups.<g>.<name>)", op, key);
    const std::string_view leaf = (*parts)[2];
    if ((*parts)[0] == "state") {
      auto& [first_key, st] = loaded_state[*index];
      if (first_key.empty()) first_key = key;
      st.initialized = true;
      st.buffers.resize(layout_.buffers.size());
      if (leaf == "step" && layout_.has_step) {
        st.step = scalar_of(key, value);
        continue;
      }
      auto it = std::find(layout_.buffers.begin(), layout_.buffers.end(), leaf);
      EMBER_CHECK_VALUE(it != layout_.buffers.end(), "{}: unexpected key '{}': {} keeps no state named '{}'", op, key,
                        name_, leaf);
      EMBER_CHECK_VALUE(value.is_floating_point(), "{}: expected a floating point tensor under '{}', got {}", op, key,
                        value.dtype());
      // Shapes are checked once the saved id is mapped to a parameter; keep the tensor until then.
      st.buffers[static_cast<size_t>(it - layout_.buffers.begin())] = value;
      continue;
    }
    EMBER_CHECK_VALUE(*index < groups,
                      "{}: loaded state dict has a different number of parameter groups: the optimizer has {}, "
                      "got key '{}'",
                      op, groups, key);
    LoadedGroup& group = loaded_groups[*index];
    if (leaf == "params") {
      EMBER_CHECK_VALUE(value.dim() == 1 && value.dtype() == kInt64,
                        "{}: expected '{}' to be a 1-d int64 tensor of parameter indices, got shape {} and dtype {}",
                        op, key, value.shape(), value.dtype());
      group.params = &value;
      continue;
    }
    if (leaf == "initial_lr") {
      group.initial_lr = scalar_of(key, value);
      continue;
    }
    auto field = std::find_if(fields[*index].begin(), fields[*index].end(),
                              [&](const OptionField& f) { return f.name == leaf; });
    EMBER_CHECK_VALUE(field != fields[*index].end(), "{}: unexpected key '{}': {} has no option named '{}'", op, key,
                      name_, leaf);
    FieldValue loaded = std::visit(
        [&](auto* target) -> FieldValue {
          using V = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<V, std::pair<double, double>>) {
            EMBER_CHECK_VALUE(value.dim() == 1 && value.numel() == 2,
                              "{}: expected '{}' to hold 2 values, got shape {}", op, key, value.shape());
            std::vector<double> pair = value.to_vector<double>();
            return std::pair<double, double>(pair[0], pair[1]);
          } else if constexpr (std::is_same_v<V, bool>) {
            const double flag = scalar_of(key, value);
            EMBER_CHECK_VALUE(flag == 0 || flag == 1, "{}: expected '{}' to be 0 or 1 (a flag), got {}", op, key, flag);
            return flag == 1;
          } else {
            return scalar_of(key, value);
          }
        },
        field->value);
    group.fields[std::string(leaf)] = loaded;
  }

  // Saved ids map to this optimizer's parameters in order, group by group (as PyTorch maps them).
  std::map<size_t, size_t> id_to_param;
  size_t next = 0;
  for (size_t g = 0; g < groups; ++g) {
    const LoadedGroup& group = loaded_groups[g];
    EMBER_CHECK_VALUE(group.params, "{}: missing key 'param_groups.{}.params'", op, g);
    EMBER_CHECK_VALUE(static_cast<size_t>(group.params->numel()) == params(g).size(),
                      "{}: loaded state dict contains a parameter group that doesn't match the size of optimizer's "
                      "group: expected {} parameters in group {}, got {}",
                      op, params(g).size(), g, group.params->numel());
    for (int64_t id : group.params->to_vector<int64_t>()) id_to_param[static_cast<size_t>(id)] = next++;
    for (const OptionField& field : fields[g]) {
      EMBER_CHECK_VALUE(group.fields.count(field.name), "{}: missing key 'param_groups.{}.{}'", op, g, field.name);
    }
  }
  std::unordered_map<const TensorImpl*, Entry> new_state;
  for (auto& [id, keyed] : loaded_state) {
    auto& [key, st] = keyed;
    auto target = id_to_param.find(id);
    EMBER_CHECK_VALUE(target != id_to_param.end(), "{}: key '{}' refers to parameter {}, which no group lists", op, key,
                      id);
    const Tensor& param = all_params[target->second];
    for (size_t b = 0; b < st.buffers.size(); ++b) {
      if (!st.buffers[b].defined()) continue;
      const Tensor saved = st.buffers[b];
      EMBER_CHECK_VALUE(saved.shape() == param.shape(),
                        "{}: expected 'state.{}.{}' to have the shape of its parameter, {}, got {}", op, id,
                        layout_.buffers[b], param.shape(), saved.shape());
      // A fresh contiguous copy in the parameter's dtype and device (PyTorch casts floating state likewise).
      st.buffers[b] = empty(param.shape(), param.options());
      st.buffers[b].copy_(saved);
    }
    new_state[param.impl()] = Entry{param, std::move(st)};
  }

  // Phase 2: write the options, check them as the constructor would, and undo on failure.
  std::vector<std::vector<FieldValue>> previous(groups);
  for (size_t g = 0; g < groups; ++g) {
    for (const OptionField& field : fields[g]) previous[g].push_back(read_field(field));
  }
  try {
    for (size_t g = 0; g < groups; ++g) {
      for (const OptionField& field : fields[g]) write_field(field, loaded_groups[g].fields.find(field.name)->second);
      check_group(g);
    }
  } catch (...) {
    for (size_t g = 0; g < groups; ++g) {
      for (size_t f = 0; f < fields[g].size(); ++f) write_field(fields[g][f], previous[g][f]);
    }
    throw;
  }
  for (size_t g = 0; g < groups; ++g) initial_lr(g) = loaded_groups[g].initial_lr;
  state_ = std::move(new_state);
}

}  // namespace ember::optim
