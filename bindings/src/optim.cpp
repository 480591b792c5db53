// ember._C.optim: the optimizers and LR schedulers of optim/, and clip_grad.h.
// An optimizer is built from (params, options dict) groups; each options
// struct is filled by name through its fields() (OptionField), so one template
// binds them all and a group's options read and write the C++ group directly
// (what makes param_groups[0]["lr"] = 0.1 in ember/optim/optimizer.py reach
// the C++ step).
#include "bindings.h"

#include <fmt/format.h>

namespace ember::python {
namespace {

bool is_real(py::handle value) {
  return !py::isinstance<py::bool_>(value) && (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value));
}

// Writes value into one option field; a value of the wrong type is a TypeError naming the option.
void set_field(const optim::OptionField& field, py::handle value, const std::string& optimizer) {
  const auto wrong = [&](const char* expected) {
    return py::type_error(fmt::format("{}(): argument '{}' must be {}, not {}", optimizer, field.name, expected,
                                      type_name(value)));
  };
  if (auto* d = std::get_if<double*>(&field.value)) {
    if (!is_real(value)) throw wrong("float");
    **d = value.cast<double>();
  } else if (auto* b = std::get_if<bool*>(&field.value)) {
    if (!py::isinstance<py::bool_>(value)) throw wrong("bool");
    **b = value.cast<bool>();
  } else {
    auto* pair = std::get<std::pair<double, double>*>(field.value);
    if (!py::isinstance<py::sequence>(value) || py::len(value) != 2) throw wrong("a tuple of 2 floats");
    const py::sequence values = py::reinterpret_borrow<py::sequence>(value);
    if (!is_real(values[0]) || !is_real(values[1])) throw wrong("a tuple of 2 floats");
    *pair = {values[0].cast<double>(), values[1].cast<double>()};
  }
}

py::object get_field(const optim::OptionField& field) {
  if (auto* d = std::get_if<double*>(&field.value)) return py::float_(**d);
  if (auto* b = std::get_if<bool*>(&field.value)) return py::bool_(**b);
  const auto* pair = std::get<std::pair<double, double>*>(field.value);
  return py::make_tuple(pair->first, pair->second);
}

// base with every option the dict names replaced; other keys (params, initial_lr) are not options.
template <class Options>
Options options_from(const py::dict& values, Options options, const std::string& optimizer) {
  for (const optim::OptionField& field : options.fields()) {
    const py::str key(std::string(field.name));
    if (values.contains(key)) set_field(field, values[key], optimizer);
  }
  return options;
}

optim::OptionField find_field(optim::Optimizer& self, size_t group, const std::string& name) {
  for (const optim::OptionField& field : self.group_fields(group)) {
    if (field.name == name) return field;
  }
  throw py::key_error(name);
}

template <class Opt>
void bind_optimizer(py::module_& m, const char* name) {
  using Options = std::remove_cvref_t<decltype(std::declval<Opt>().defaults())>;
  py::class_<Opt, optim::Optimizer, std::shared_ptr<Opt>>(m, name)
      .def(py::init([name](const std::vector<std::pair<std::vector<Tensor>, py::dict>>& groups,
                           const py::dict& defaults) {
        const Options base = options_from(defaults, Options{}, name);
        std::vector<typename Opt::Group> param_groups;
        for (const auto& [params, options] : groups) {
          param_groups.push_back({.params = params, .options = options_from(options, base, name)});
        }
        return std::make_shared<Opt>(std::move(param_groups), base);
      }))
      .def("add_param_group", [name](Opt& self, const std::vector<Tensor>& params, const py::dict& options) {
        self.add_param_group({.params = params, .options = options_from(options, self.defaults(), name)});
      });
}

// A scheduler holds a reference to its optimizer: keep_alive<1, 2> keeps the optimizer alive as long.
template <class S>
using Scheduler = py::class_<S, optim::LRScheduler, std::shared_ptr<S>>;

}  // namespace

void bind_optim(py::module_& parent) {
  py::module_ m = parent.def_submodule("optim", "the C++ optimizers (use ember.optim)");
  py::class_<optim::Optimizer, std::shared_ptr<optim::Optimizer>>(m, "Optimizer")
      .def("step", &optim::Optimizer::step, py::call_guard<py::gil_scoped_release>())
      .def("zero_grad", &optim::Optimizer::zero_grad, py::arg("set_to_none") = true)
      .def("state_dict", &optim::Optimizer::state_dict)
      .def("load_state_dict", &optim::Optimizer::load_state_dict)
      .def("num_param_groups", &optim::Optimizer::num_param_groups)
      // The indices (counted through all groups, as state_dict's) of the parameters that
      // have state, including those whose state holds no tensor (SGD without momentum).
      .def("indices_with_state", [](const optim::Optimizer& self) {
        std::vector<size_t> indices;
        size_t index = 0;
        for (size_t g = 0; g < self.num_param_groups(); ++g) {
          for (const Tensor& param : self.params(g)) {
            const optim::ParamState* state = self.state(param);
            if (state && state->initialized) indices.push_back(index);
            ++index;
          }
        }
        return indices;
      })
      .def("option_names", [](optim::Optimizer& self, size_t group) {
        std::vector<std::string> names;
        for (const optim::OptionField& field : self.group_fields(group)) names.emplace_back(field.name);
        return names;
      })
      .def("get_option", [](optim::Optimizer& self, size_t group, const std::string& name) -> py::object {
        if (name == "initial_lr") {
          const std::optional<double> lr = self.initial_lr(group);
          if (!lr) throw py::key_error(name);
          return py::float_(*lr);
        }
        return get_field(find_field(self, group, name));
      })
      .def("set_option", [](optim::Optimizer& self, size_t group, const std::string& name, const py::object& value) {
        if (name == "initial_lr") {
          self.initial_lr(group) = value.is_none() ? std::nullopt : std::optional<double>(value.cast<double>());
          return;
        }
        set_field(find_field(self, group, name), value, self.name());
        self.check_group(group);
      });
  bind_optimizer<optim::SGD>(m, "SGD");
  bind_optimizer<optim::Adam>(m, "Adam");
  bind_optimizer<optim::AdamW>(m, "AdamW");
  bind_optimizer<optim::RMSprop>(m, "RMSprop");
  bind_optimizer<optim::Adagrad>(m, "Adagrad");
  m.def("clip_grad_norm_", &optim::clip_grad_norm_, py::arg("parameters"), py::arg("max_norm"),
        py::arg("norm_type") = 2.0, py::arg("error_if_nonfinite") = false, py::call_guard<py::gil_scoped_release>());
  m.def("clip_grad_value_", &optim::clip_grad_value_, py::arg("parameters"), py::arg("clip_value"),
        py::call_guard<py::gil_scoped_release>());

  py::class_<optim::LRScheduler, std::shared_ptr<optim::LRScheduler>>(m, "LRScheduler")
      .def("step", &optim::LRScheduler::step)
      .def("get_last_lr", &optim::LRScheduler::get_last_lr)
      .def_property_readonly("last_epoch", &optim::LRScheduler::last_epoch)
      .def_property_readonly("base_lrs", &optim::LRScheduler::base_lrs);
  const auto keep = py::keep_alive<1, 2>();
  Scheduler<optim::StepLR>(m, "StepLR").def(py::init([](optim::Optimizer& opt, int64_t step_size, double gamma,
                                                        int64_t last_epoch) {
    return std::make_shared<optim::StepLR>(opt, optim::StepLROptions{step_size, gamma, last_epoch});
  }), keep);
  Scheduler<optim::MultiStepLR>(m, "MultiStepLR").def(py::init([](optim::Optimizer& opt, std::vector<int64_t> milestones,
                                                                  double gamma, int64_t last_epoch) {
    return std::make_shared<optim::MultiStepLR>(opt, optim::MultiStepLROptions{milestones, gamma, last_epoch});
  }), keep);
  Scheduler<optim::ExponentialLR>(m, "ExponentialLR").def(py::init([](optim::Optimizer& opt, double gamma,
                                                                      int64_t last_epoch) {
    return std::make_shared<optim::ExponentialLR>(opt, optim::ExponentialLROptions{gamma, last_epoch});
  }), keep);
  Scheduler<optim::CosineAnnealingLR>(m, "CosineAnnealingLR").def(py::init([](optim::Optimizer& opt, int64_t t_max,
                                                                              double eta_min, int64_t last_epoch) {
    return std::make_shared<optim::CosineAnnealingLR>(opt, optim::CosineAnnealingLROptions{t_max, eta_min, last_epoch});
  }), keep);
  Scheduler<optim::LinearLR>(m, "LinearLR").def(py::init([](optim::Optimizer& opt, double start_factor,
                                                            double end_factor, int64_t total_iters, int64_t last_epoch) {
    return std::make_shared<optim::LinearLR>(opt, optim::LinearLROptions{start_factor, end_factor, total_iters,
                                                                         last_epoch});
  }), keep);
  Scheduler<optim::OneCycleLR>(m, "OneCycleLR")
      .def(py::init([](optim::Optimizer& opt, std::vector<double> max_lr, std::optional<int64_t> total_steps,
                       std::optional<int64_t> epochs, std::optional<int64_t> steps_per_epoch, double pct_start,
                       std::string anneal_strategy, bool cycle_momentum, std::vector<double> base_momentum,
                       std::vector<double> max_momentum, double div_factor, double final_div_factor,
                       bool three_phase, int64_t last_epoch) {
        return std::make_shared<optim::OneCycleLR>(opt, optim::OneCycleLROptions{
            max_lr, total_steps, epochs, steps_per_epoch, pct_start, std::move(anneal_strategy), cycle_momentum,
            base_momentum, max_momentum, div_factor, final_div_factor, three_phase, last_epoch});
      }), keep)
      .def_property_readonly("total_steps", &optim::OneCycleLR::total_steps);
  py::class_<optim::ReduceLROnPlateau, std::shared_ptr<optim::ReduceLROnPlateau>>(m, "ReduceLROnPlateau")
      .def(py::init([](optim::Optimizer& opt, std::string mode, double factor, int64_t patience, double threshold,
                       std::string threshold_mode, int64_t cooldown, std::vector<double> min_lr, double eps) {
        return std::make_shared<optim::ReduceLROnPlateau>(opt, optim::ReduceLROnPlateauOptions{
            std::move(mode), factor, patience, threshold, std::move(threshold_mode), cooldown, min_lr, eps});
      }), keep)
      .def("step", &optim::ReduceLROnPlateau::step)
      .def("get_last_lr", &optim::ReduceLROnPlateau::get_last_lr)
      .def_property_readonly("last_epoch", &optim::ReduceLROnPlateau::last_epoch)
      .def_property_readonly("best", &optim::ReduceLROnPlateau::best)
      .def_property_readonly("num_bad_epochs", &optim::ReduceLROnPlateau::num_bad_epochs);
}

}  // namespace ember::python
