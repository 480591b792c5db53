// Module: the base of every layer and model. Parameters, buffers and child
// modules are registered by name (in order), which gives PyTorch's dotted
// names ("features.0.weight"), state_dict/load_state_dict, train/eval, to()
// and the printed module tree. No Options/Impl/Holder: a module is a class.
//
//   struct Net : nn::Module {
//     std::shared_ptr<nn::Linear> fc1 = register_module("fc1", std::make_shared<nn::Linear>(784, 256));
//     std::shared_ptr<nn::Linear> fc2 = register_module("fc2", std::make_shared<nn::Linear>(256, 10));
//     Tensor forward(const Tensor& x) override { return fc2->forward(relu(fc1->forward(x))); }
//   };
#pragma once

#include <ember/autograd/node.h>
#include <ember/nn/state_dict.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ember::nn {

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // Modules are moved into containers (Sequential(Linear(...), ...)); a module
  // that registered plain members of itself must stay where it is (no copies).
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The single-tensor forward; layers override it. Containers call
  // operator(), which also marks the nodes recorded inside as this module's
  // (see Note [Record sites] in autograd/node.h).
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) {
    autograd::RecordSiteGuard site(&record_site());
    return forward(input);
  }

  // ---- registration; each returns what it stored ----
  // requires_grad is set on the parameter (a leaf); an undefined tensor registers "no such parameter" (bias=false).
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  Tensor& register_buffer(std::string name, Tensor tensor);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }
  // A plain member module: registered without ownership (this module must not move).
  template <class M>
  M& register_module(std::string name, M& module) {
    add_child(std::move(name), std::shared_ptr<Module>(std::shared_ptr<Module>(), &module));
    return module;
  }

  // ---- what it holds, recursively by default, in registration order ----
  std::vector<Tensor> parameters(bool recurse = true) const;
  StateDict named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  StateDict named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  // This module first (under ""), then every descendant, depth first.
  std::vector<std::pair<std::string, Module*>> named_modules();
  std::vector<Module*> modules();

  // ---- modes and conversion ----
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Parameters and buffers move in place (every handle sees the new data);
  // to(dtype) converts floating ones only, as PyTorch.
  void to(Device device);
  void to(DType dtype);
  void to(Device device, DType dtype);
  void zero_grad(bool set_to_none = true);
  // fn(module) on every descendant, children first, then this one (PyTorch's order).
  void apply(const std::function<void(Module&)>& fn);

  // ---- state ----
  // Parameters then buffers of each module, then its children, keys dotted.
  StateDict state_dict() const;
  // Copies values in (no grad). strict: missing or unexpected keys are an
  // error; a shape mismatch always is; each error names the key.
  void load_state_dict(const StateDict& state, bool strict = true);

  // ---- printing, as PyTorch's module repr ----
  std::string str() const;
  // The class name (demangled, no namespace): "Linear".
  const char* name() const;
  // What goes inside the parentheses: "in_features=784, out_features=256, bias=True".
  virtual std::string extra_repr() const { return ""; }
  // Where this module sits in the tree that holds it ("encoder.fc2"; "" for a root).
  const std::string& path() const { return path_; }
  // For error messages: "encoder.fc2 (Linear)", or "Linear" for a root.
  std::string where() const;
  // where(), built once and shared with every node recorded inside this
  // module's calls (rebuilt when the module is registered under a new path).
  const std::shared_ptr<const std::string>& record_site() const;

 protected:
  // Runs fn (a layer's call of its op); an ember::Error it throws comes out with where() in front
  // ("features.0 (Conv2d): conv2d: expected ..."), so the op's own message also names the layer.
  // Nodes recorded inside fn keep this module as their record site.
  template <class Fn>
  decltype(auto) with_where(Fn&& fn) const {
    autograd::RecordSiteGuard site(&record_site());
    try {
      return fn();
    } catch (const Error& e) {
      rethrow_with_where(e);
    }
  }

 private:
  [[noreturn]] void rethrow_with_where(const Error& e) const;
  void add_child(std::string name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name) const;
  // Calls fn(prefix + name, tensor) for parameters (or buffers) of this module and, if recurse, of descendants.
  void visit_tensors(bool parameters, bool recurse, const std::string& prefix,
                     const std::function<void(const std::string&, const Tensor&)>& fn) const;
  void convert(const std::function<Tensor(const Tensor&)>& convert_one);
  // Registration under `name` puts name in front of this subtree's paths.
  void prefix_path(const std::string& name);

  StateDict parameters_;
  StateDict buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  std::string path_;
  // Built on first use from where(): the class name is only known once the
  // module is fully constructed.
  mutable std::shared_ptr<const std::string> record_site_;
};

std::ostream& operator<<(std::ostream& os, const Module& module);

}  // namespace ember::nn
