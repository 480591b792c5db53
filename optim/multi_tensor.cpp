// The non-template half of the multi-tensor pass (optim/multi_tensor.h):
// checking a parameter before its step and creating state buffers.
#include <ember/ops/ops.h>
#include <ember/optim/multi_tensor.h>

namespace ember::optim::detail {

std::optional<Prepared> prepare(std::string_view optimizer, const Tensor& param) {
  Tensor grad = param.grad();
  if (!grad.defined()) return std::nullopt;
  EMBER_CHECK(param.is_cpu(),
              "{}.step: expected CPU parameters, got a parameter of shape {} on {} (the fused CUDA step is not "
              "implemented yet)",
              optimizer, param.shape(), param.device());
  EMBER_CHECK_TYPE(param.dtype() == kFloat32 || param.dtype() == kFloat64,
                   "{}.step: expected float32 or float64 parameters, got a parameter of shape {} and dtype {}",
                   optimizer, param.shape(), param.dtype());
  // set_grad() and the engine keep a gradient of the parameter's shape, dtype and device.
  EMBER_INTERNAL_ASSERT(grad.shape() == param.shape() && grad.dtype() == param.dtype(),
                        "gradient of shape {} and dtype {} for a parameter of shape {} and dtype {}", grad.shape(),
                        grad.dtype(), param.shape(), param.dtype());
  Prepared out{param, grad.contiguous(), Tensor()};
  if (!param.is_contiguous()) {
    out.original = param;
    out.param = param.contiguous();
  }
  return out;
}

Tensor& buffer(ParamState& state, size_t index, const Tensor& param, double fill) {
  if (state.buffers.size() <= index) state.buffers.resize(index + 1);
  Tensor& slot = state.buffers[index];
  if (!slot.defined()) slot = full(param.shape(), fill, param.options());
  return slot;
}

}  // namespace ember::optim::detail
