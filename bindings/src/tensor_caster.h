// How pybind11 converts ember::Tensor between C++ and Python, made cheaper.
//
// pybind11's generic caster looks the Tensor class up in its registry by
// std::type_index on every conversion: hashing the mangled type name, about
// 30 ns each, three times in `a + b` (self, other, the result) - a tenth of
// the whole call. This caster looks it up once and keeps the pointer, and
// returning a new Tensor skips the search for an existing Python object
// (a moved-from temporary never has one). Everything else is pybind11's own
// path, so Tensors made by either caster are the same objects.
// It is included (through bindings.h) before any conversion of Tensor, so
// every binding file sees this specialisation.
#pragma once

#include <ember/core/tensor.h>

#include <pybind11/pybind11.h>

namespace pybind11::detail {

template <>
class type_caster<ember::Tensor> : public type_caster_generic {
 public:
  static constexpr auto name = const_name<ember::Tensor>();

  type_caster() : type_caster_generic(registered_type()) {}

  static handle cast(const ember::Tensor& src, return_value_policy policy, handle parent) {
    if (policy == return_value_policy::automatic || policy == return_value_policy::automatic_reference) {
      policy = return_value_policy::copy;
    }
    return cast(&src, policy, parent);
  }

  static handle cast(ember::Tensor&& src, return_value_policy /*policy*/, handle /*parent*/) {
    const type_info* tinfo = registered_type();
    if (tinfo == nullptr) throw cast_error("ember.Tensor returned before its class was registered");
    object instance = reinterpret_steal<object>(make_new_instance(tinfo->type));
    auto* wrapper = reinterpret_cast<detail::instance*>(instance.ptr());
    values_and_holders(wrapper).begin()->value_ptr() = new ember::Tensor(std::move(src));
    wrapper->owned = true;
    tinfo->init_instance(wrapper, nullptr);
    return instance.release();
  }

  static handle cast(const ember::Tensor* src, return_value_policy policy, handle parent) {
    return type_caster_generic::cast(src, policy, parent, registered_type(), copy_tensor, move_tensor);
  }

  template <typename T>
  using cast_op_type = detail::cast_op_type<T>;

  // NOLINTNEXTLINE(google-explicit-constructor)
  operator ember::Tensor*() { return static_cast<ember::Tensor*>(value); }
  // NOLINTNEXTLINE(google-explicit-constructor)
  operator ember::Tensor&() {
    if (value == nullptr) throw reference_cast_error();
    return *static_cast<ember::Tensor*>(value);
  }

 private:
  // The class record of ember.Tensor; remembered once the class is registered.
  static const type_info* registered_type() {
    static const type_info* registered = nullptr;
    if (registered == nullptr) registered = get_type_info(typeid(ember::Tensor));
    return registered;
  }
  static void* copy_tensor(const void* src) { return new ember::Tensor(*static_cast<const ember::Tensor*>(src)); }
  static void* move_tensor(const void* src) {
    return new ember::Tensor(std::move(*const_cast<ember::Tensor*>(static_cast<const ember::Tensor*>(src))));
  }
};

}  // namespace pybind11::detail
