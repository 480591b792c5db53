// Reductions: sum, mean, prod, amax/amin, max/min (values and indices),
// argmax/argmin, all/any, cumsum, and the composites var/std, logsumexp and
// norm. Folds over a set of dims run in cpu::reduce (ops/cpu/reduce.h); on CUDA
// only sum (cuda::sum_contiguous) and the composites built on it exist so far.
//
// Accumulation: floating sums and products accumulate in double on the CPU
// (PyTorch's CPU acc_type), integer ones in int64 with wraparound.
#include <ember/ops/cpu/dim_loop.h>
#include <ember/ops/cpu/reduce.h>
#include <ember/ops/toolkit.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ember {
namespace {

using autograd::save;
using autograd::save_output;
using autograd::TensorList;

// The dims a reduction folds (a 0/1 flag per dim of self), the result's shape
// and how many elements each result folds.
struct Reduction {
  Shape reduced;
  Shape out_shape;
  int64_t count = 1;
};

// dims = {} folds every dim. A 0-d tensor accepts dim 0 or -1 and folds its one element.
Reduction plan_reduction(const char* op, const Tensor& self, IntArrayRef dims, bool keepdim) {
  detail::check_defined(op, self);
  const int64_t ndim = self.dim();
  Reduction r{Shape(static_cast<size_t>(ndim), dims.empty() ? 1 : 0), Shape(), 1};
  // A 0-d tensor has one dim to name (0 or -1), and it may be named once too, as in PyTorch.
  Shape seen(static_cast<size_t>(std::max<int64_t>(ndim, 1)), 0);
  for (int64_t dim : dims) {
    const int64_t d = wrap_dim(op, dim, ndim);
    EMBER_CHECK(seen[d] == 0, "{}: dim {} appears multiple times in the list of dims", op, d);
    seen[d] = 1;
    if (ndim > 0) r.reduced[d] = 1;
  }
  for (int64_t d = 0; d < ndim; ++d) {
    const int64_t size = self.shape()[d];
    if (r.reduced[d]) {
      r.count *= size;
      if (keepdim) r.out_shape.push_back(1);
    } else {
      r.out_shape.push_back(size);
    }
  }
  return r;
}

// Amax, max, argmax, ... have no identity: folding nothing is an error. PyTorch's classes: a RuntimeError when
// no dim was named, an IndexError naming the empty dim otherwise.
void check_nonempty(const char* op, const Tensor& self, IntArrayRef dims, const Reduction& r) {
  if (r.count != 0) return;
  EMBER_CHECK(!dims.empty(), "{}: Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
              "dim with the 'dim' argument.", op);
  for (int64_t d = 0; d < self.dim(); ++d) {
    EMBER_CHECK_INDEX(!(r.reduced[d] && self.shape()[d] == 0), "{}: Expected reduction dim {} to have non-zero size.",
                      op, d);
  }
}

// self's data laid out for cpu::reduce: a contiguous tensor seen as [outer,
// reduced, inner]. A contiguous self whose reduced dims form one block (size-1
// dims aside) is used as it is; otherwise (or when `inner_allowed` is false) a
// copy permuted to (kept dims, reduced dims), so inner = 1.
std::pair<Tensor, cpu::ReduceShape> arrange(const Tensor& self, const Reduction& r, bool inner_allowed) {
  if (self.is_contiguous()) {
    enum { Before, Inside, After } where = Before;
    cpu::ReduceShape shape;
    bool one_block = true;
    for (int64_t d = 0; d < self.dim(); ++d) {
      const int64_t size = self.shape()[d];
      if (size == 1) continue;
      if (r.reduced[d]) {
        one_block = one_block && where != After;
        where = Inside;
        shape.reduced *= size;
      } else if (where == Before) {
        shape.outer *= size;
      } else {
        where = After;
        shape.inner *= size;
      }
    }
    if (one_block && (inner_allowed || shape.inner == 1)) return {self, shape};
  }
  std::vector<int64_t> order;
  int64_t outer = 1;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (!r.reduced[d]) {
      order.push_back(d);
      outer *= self.shape()[d];
    }
  }
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (r.reduced[d]) order.push_back(d);
  }
  return {self.permute(order).contiguous(), {outer, r.count, 1}};
}

template <class T>
using sum_acc_t = std::conditional_t<is_floating_v<T>, double, int64_t>;

// The result dtype of sum, prod and cumsum: `dtype` if given, else int64 for
// integers and bool (as PyTorch), else self's.
DType accumulate_dtype(const Tensor& self, std::optional<DType> dtype) {
  if (dtype) return *dtype;
  return is_integral(self.dtype(), /*include_bool=*/true) ? kInt64 : self.dtype();
}

// The keepdim shape: `shape` with the reduced dims as size 1. A result (or a
// gradient) reshaped to it broadcasts against self.
Shape kept_shape(IntArrayRef shape, const Reduction& r) {
  Shape kept;
  for (size_t d = 0; d < shape.size(); ++d) kept.push_back(r.reduced[d] ? 1 : shape[d]);
  return kept;
}

std::vector<int64_t> reduced_dims(const Reduction& r) {
  std::vector<int64_t> dims;
  for (size_t d = 0; d < r.reduced.size(); ++d) {
    if (r.reduced[d]) dims.push_back(static_cast<int64_t>(d));
  }
  return dims;
}

// Backward of sum and mean: the gradient spread back over the reduced dims.
void record_sum(const char* op, const Tensor& self, const Tensor& out, const Reduction& r, double scale) {
  if (!autograd::needs_grad(self)) return;
  autograd::record(op, {self}, out, [shape = self.shape(), kept = kept_shape(self.shape(), r), scale](const Tensor& grad) {
    const Tensor spread = grad.reshape(kept).expand(shape);
    return TensorList{scale == 1.0 ? spread : spread * scale};
  });
}

// Sum over r of self (already of the result dtype), each result multiplied by `scale`.
Tensor sum_impl(const char* op, const Tensor& self, const Reduction& r, double scale) {
  if (self.is_cuda()) {
    // The kernel sums the rows of a contiguous [outer, reduced] input of
    // float32/64, float16, bfloat16 or int64: smaller integers sum as int64.
    const DType dtype = is_integral(self.dtype(), /*include_bool=*/true) ? kInt64 : self.dtype();
    auto [rows, shape] = arrange(detail::cast_if_needed(self, dtype), r, /*inner_allowed=*/false);
    Tensor sums = empty(r.out_shape, rows.options());
    cuda::sum_contiguous(rows.data_ptr(), sums.data_ptr(), dtype, shape.outer, shape.reduced);
    return detail::cast_if_needed(scale == 1.0 ? sums : sums * scale, self.dtype());
  }
  Tensor out = empty(r.out_shape, self.options());
  auto [input, shape] = arrange(self, r, /*inner_allowed=*/true);
  dispatch_dtype(op, self.dtype(), [&]<class T>() {
    using Acc = sum_acc_t<T>;
    // Floating sums run float (or double) lanes into a double total.
    using Lane = std::conditional_t<is_floating_v<T>, opmath_t<T>, Acc>;
    auto add = [](auto a, auto b) { return functors::wrapping_add(a, b); };
    if (scale == 1.0) {
      cpu::reduce<Lane>(input.data_ptr<T>(), out.data_ptr<T>(), shape, Acc(0), add,
                        [](Acc a) { return static_cast<T>(a); });
    } else {
      cpu::reduce<Lane>(input.data_ptr<T>(), out.data_ptr<T>(), shape, Acc(0), add,
                        [scale](Acc a) { return static_cast<T>(static_cast<double>(a) * scale); });
    }
  });
  return out;
}

enum class Extreme { Max, Min };

// Does v beat the best so far? NaN beats every number and nothing beats NaN
// (PyTorch propagates NaN); on ties the best so far stays.
template <Extreme E, class V>
bool beats(V v, V best) {
  if constexpr (is_floating_v<V>) {
    if (std::isnan(best)) return false;
    if (std::isnan(v)) return true;
  }
  if constexpr (E == Extreme::Max) return best < v;
  else return v < best;
}

template <Extreme E>
Tensor extreme_impl(const char* op, const Tensor& self, IntArrayRef dims, bool keepdim) {
  const Reduction r = plan_reduction(op, self, dims, keepdim);
  detail::check_cpu(op, self);
  check_nonempty(op, self, dims, r);
  Tensor out = empty(r.out_shape, self.options());
  auto [input, shape] = arrange(self, r, /*inner_allowed=*/true);
  dispatch_dtype(op, self.dtype(), [&]<class T>() {
    using V = opmath_t<T>;
    V identity;
    if constexpr (is_floating_v<V>) identity = E == Extreme::Max ? -INFINITY : INFINITY;
    else identity = E == Extreme::Max ? std::numeric_limits<V>::lowest() : std::numeric_limits<V>::max();
    cpu::reduce<V>(input.data_ptr<T>(), out.data_ptr<T>(), shape, identity,
                   [](V a, V b) { return beats<E>(b, a) ? b : a; }, [](V a) { return static_cast<T>(a); });
  });
  if (autograd::needs_grad(self)) {
    // The gradient is shared evenly among the elements equal to the extreme (PyTorch's amax rule).
    autograd::record(op, {self}, out, [self = save(self), result = save_output(out), r](const Tensor& grad) {
      const Tensor x = self.get();
      const Shape kept = kept_shape(x.shape(), r);
      const Tensor is_extreme = eq(x, result.get().reshape(kept));
      const Tensor ties = sum(is_extreme, reduced_dims(r), /*keepdim=*/true);
      return TensorList{where(is_extreme, grad.reshape(kept) / ties, 0.0)};
    });
  }
  return out;
}

// (values, indices) of the extreme along one dim: the first one on ties, the first NaN if any.
template <Extreme E>
std::pair<Tensor, Tensor> extreme_with_index(const char* op, const Tensor& self, int64_t dim, bool keepdim) {
  const Reduction r = plan_reduction(op, self, {dim}, keepdim);
  detail::check_cpu(op, self);
  check_nonempty(op, self, {dim}, r);
  Tensor values = empty(r.out_shape, self.options()), indices = empty(r.out_shape, {kInt64, self.device()});
  if (values.numel() == 0) return {values, indices};
  // Iterate over self's rows along d; the results are viewed with a size-1 dim at d.
  const Tensor rows = self.dim() == 0 ? self.reshape({1}) : self;
  const int64_t d = wrap_dim(op, dim, rows.dim());
  Shape kept = rows.shape();
  kept[d] = 1;
  const Tensor values_view = values.view(kept), indices_view = indices.view(kept);
  const int64_t length = rows.shape()[d], stride = rows.strides()[d];
  dispatch_dtype(op, self.dtype(), [&]<class T>() {
    using V = opmath_t<T>;
    const T* in = rows.data_ptr<T>();
    T* out_values = values_view.data_ptr<T>();
    int64_t* out_indices = indices_view.data_ptr<int64_t>();
    cpu::for_each_row<3>(rows.shape(), d, {rows.strides(), values_view.strides(), indices_view.strides()},
                         cpu::RowOrder::Any, [&](int64_t, const std::array<int64_t, 3>& offsets) {
                           V best = static_cast<V>(in[offsets[0]]);
                           int64_t best_index = 0;
                           for (int64_t i = 1; i < length; ++i) {
                             const V v = static_cast<V>(in[offsets[0] + i * stride]);
                             if (beats<E>(v, best)) {
                               best = v;
                               best_index = i;
                             }
                           }
                           out_values[offsets[1]] = static_cast<T>(best);
                           out_indices[offsets[2]] = best_index;
                         });
  });
  if (autograd::needs_grad(self)) {
    // The gradient goes to the chosen index only (a one-hot mask along d).
    autograd::record(op, {self}, TensorList{values, indices}, [kept, shape = self.shape(), d, indices](const TensorList& grads) {
      Shape along(kept.size(), 1);
      if (!along.empty()) along[d] = shape.empty() ? 1 : shape[d];
      const Tensor positions = arange(along.empty() ? 1 : along[d], kInt64).reshape(along);
      const Tensor chosen = eq(positions, indices.view(kept));
      return TensorList{where(chosen, grads[0].reshape(kept), 0.0).reshape(shape)};
    });
  }
  return {values, indices};
}

template <Extreme E>
Tensor arg_extreme(const char* op, const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  detail::check_defined(op, self);
  if (dim) wrap_dim(op, *dim, self.dim());  // before the dtype, as PyTorch checks
  if (self.dtype() == kBool) fail_dtype(op, self.dtype(), DTypes::Numeric);  // as PyTorch's CPU argmax
  if (dim) return extreme_with_index<E>(op, self, *dim, keepdim).second;
  // No dim: the index into the flattened tensor; keepdim keeps every dim as size 1.
  Tensor flat_index = extreme_with_index<E>(op, self.reshape({-1}), 0, /*keepdim=*/false).second;
  return keepdim ? flat_index.reshape(Shape(static_cast<size_t>(self.dim()), 1)) : flat_index;
}

enum class Logic { All, Any };

Tensor logic_impl(const char* op, Logic logic, const Tensor& self, IntArrayRef dims, bool keepdim) {
  const Reduction r = plan_reduction(op, self, dims, keepdim);
  detail::check_cpu(op, self);
  // uint8 in, uint8 out (PyTorch keeps uint8 for backward compatibility); bool otherwise.
  Tensor out = empty(r.out_shape, {self.dtype() == kUInt8 ? kUInt8 : kBool, self.device()});
  auto [input, shape] = arrange(self, r, /*inner_allowed=*/true);
  dispatch_dtype(op, self.dtype(), [&]<class T>() {
    auto fold = [&]<class Out>(Out* result) {
      if (logic == Logic::All) {
        cpu::reduce<bool>(input.data_ptr<T>(), result, shape, true, [](bool a, bool b) { return a && b; },
                          [](bool a) { return static_cast<Out>(a); });
      } else {
        cpu::reduce<bool>(input.data_ptr<T>(), result, shape, false, [](bool a, bool b) { return a || b; },
                          [](bool a) { return static_cast<Out>(a); });
      }
    };
    if (out.dtype() == kUInt8) fold(out.data_ptr<uint8_t>());
    else fold(out.data_ptr<bool>());
  });
  return out;
}

// var/std/norm compute half-precision inputs in float32 and round once at the end.
Tensor upcast_half(const Tensor& self) {
  return self.dtype() == kFloat16 || self.dtype() == kBFloat16 ? self.to(kFloat32) : self;
}

}  // namespace

Tensor sum(const Tensor& self, IntArrayRef dims, bool keepdim, std::optional<DType> dtype) {
  const Reduction r = plan_reduction("sum", self, dims, keepdim);
  Tensor out = sum_impl("sum", detail::cast_if_needed(self, accumulate_dtype(self, dtype)), r, 1.0);
  record_sum("sum", self, out, r, 1.0);
  return out;
}

Tensor mean(const Tensor& self, IntArrayRef dims, bool keepdim, std::optional<DType> dtype) {
  detail::check_defined("mean", self);
  // The dtype before the dims, as PyTorch checks (its class, RuntimeError, for a call wrong in both).
  const DType result = dtype.value_or(self.dtype());
  EMBER_CHECK(is_floating_point(result),
              "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
              "Got: {}",
              result);
  const Reduction r = plan_reduction("mean", self, dims, keepdim);
  // The mean of nothing is NaN (0 / 0), as in PyTorch.
  const double scale = r.count == 0 ? NAN : 1.0 / static_cast<double>(r.count);
  Tensor out = sum_impl("mean", detail::cast_if_needed(self, result), r, scale);
  record_sum("mean", self, out, r, scale);
  return out;
}

Tensor prod(const Tensor& self, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) {
  const Reduction r =
      dim ? plan_reduction("prod", self, {*dim}, keepdim) : plan_reduction("prod", self, {}, /*keepdim=*/false);
  detail::check_cpu("prod", self);
  const Tensor input = detail::cast_if_needed(self, accumulate_dtype(self, dtype));
  Tensor out = empty(r.out_shape, input.options());
  auto [rows, shape] = arrange(input, r, /*inner_allowed=*/true);
  dispatch_dtype("prod", input.dtype(), [&]<class T>() {
    using Acc = sum_acc_t<T>;
    cpu::reduce<Acc>(rows.data_ptr<T>(), out.data_ptr<T>(), shape, Acc(1),
                [](Acc a, Acc b) { return functors::wrapping_mul(a, b); }, [](Acc a) { return static_cast<T>(a); });
  });
  if (autograd::needs_grad(self)) {
    // d prod / d x_i = the product of the others: result / x_i without zeros; with
    // one zero in the row only that element gets the product of the rest; with
    // two or more, nothing does.
    autograd::record("prod", {self}, out, [self = save(self), result = save_output(out), r, dim](const Tensor& grad) {
      const Tensor x = self.get();
      const Shape kept = kept_shape(x.shape(), r);
      const Tensor g = grad.reshape(kept), product = result.get().reshape(kept), is_zero = eq(x, 0);
      const Tensor zero_count = dim ? is_zero.sum({*dim}, /*keepdim=*/true) : is_zero.sum().reshape(kept);
      const Tensor without_zeros = where(is_zero, 1.0, x);
      const Tensor others = dim ? without_zeros.prod(*dim, /*keepdim=*/true) : without_zeros.prod().reshape(kept);
      const Tensor grad_self = where(eq(zero_count, 0), product / without_zeros,
                                     where(logical_and(is_zero, eq(zero_count, 1)), others, 0.0));
      return TensorList{g * grad_self};
    });
  }
  return out;
}

Tensor amax(const Tensor& self, IntArrayRef dims, bool keepdim) {
  return extreme_impl<Extreme::Max>("amax", self, dims, keepdim);
}
Tensor amin(const Tensor& self, IntArrayRef dims, bool keepdim) {
  return extreme_impl<Extreme::Min>("amin", self, dims, keepdim);
}

Tensor max(const Tensor& self) {
  detail::check_defined("max", self);
  EMBER_CHECK(self.numel() > 0,
              "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with "
              "the 'dim' argument.");
  return extreme_impl<Extreme::Max>("max", self, {}, /*keepdim=*/false);
}
Tensor min(const Tensor& self) {
  detail::check_defined("min", self);
  EMBER_CHECK(self.numel() > 0,
              "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with "
              "the 'dim' argument.");
  return extreme_impl<Extreme::Min>("min", self, {}, /*keepdim=*/false);
}
std::pair<Tensor, Tensor> max(const Tensor& self, int64_t dim, bool keepdim) {
  return extreme_with_index<Extreme::Max>("max", self, dim, keepdim);
}
std::pair<Tensor, Tensor> min(const Tensor& self, int64_t dim, bool keepdim) {
  return extreme_with_index<Extreme::Min>("min", self, dim, keepdim);
}
Tensor argmax(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme<Extreme::Max>("argmax", self, dim, keepdim);
}
Tensor argmin(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme<Extreme::Min>("argmin", self, dim, keepdim);
}

namespace {

// Before the dims, as PyTorch checks (its class, RuntimeError, for a call wrong in both).
void check_variance_dtype(const char* op, const Tensor& self) {
  detail::check_defined(op, self);
  EMBER_CHECK(self.is_floating_point(), "{}: std and var only support floating point dtypes, got {}", op, self.dtype());
}

// Two passes (mean, then the squared deviations): exact enough where the
// one-pass sum of squares cancels catastrophically. Also returns the divisor.
std::pair<Tensor, double> variance(const Tensor& self, const Reduction& r, IntArrayRef dims, double correction,
                                   bool keepdim) {
  autograd::NoGradGuard no_grad;  // var and std record one node each
  const Tensor x = upcast_half(self);
  const Tensor deviation = x - x.mean(dims, /*keepdim=*/true);
  // N - correction <= 0 divides by zero: NaN or inf, as PyTorch.
  const double divisor = std::max(0.0, static_cast<double>(r.count) - correction);
  return {(sum(deviation * deviation, dims, keepdim) / divisor).to(self.dtype()), divisor};
}

// d var / dx = 2 (x - mean) / divisor; std divides that by 2 std (0 where std is 0).
void record_variance(const char* op, const Tensor& self, const Tensor& out, const Reduction& r, double divisor,
                     bool is_std) {
  if (!autograd::needs_grad(self)) return;
  autograd::record(op, {self}, out, [self = save(self), result = save_output(out), r, divisor, is_std](const Tensor& grad) {
    const Tensor x = self.get();
    const Shape kept = kept_shape(x.shape(), r);
    const Tensor deviation = x - x.mean(reduced_dims(r), /*keepdim=*/true);
    const Tensor g = grad.reshape(kept);
    if (!is_std) return TensorList{g * deviation * (2.0 / divisor)};
    const Tensor std_k = result.get().reshape(kept);
    return TensorList{where(eq(std_k, 0), 0.0, g * deviation / (std_k * divisor))};
  });
}

}  // namespace

Tensor var(const Tensor& self, IntArrayRef dims, double correction, bool keepdim) {
  check_variance_dtype("var", self);
  const Reduction r = plan_reduction("var", self, dims, keepdim);
  auto [out, divisor] = variance(self, r, dims, correction, keepdim);
  record_variance("var", self, out, r, divisor, /*is_std=*/false);
  return out;
}

Tensor std(const Tensor& self, IntArrayRef dims, double correction, bool keepdim) {
  check_variance_dtype("std", self);
  const Reduction r = plan_reduction("std", self, dims, keepdim);
  auto [variance_out, divisor] = variance(self, r, dims, correction, keepdim);
  Tensor out = sqrt(variance_out);
  record_variance("std", self, out, r, divisor, /*is_std=*/true);
  return out;
}

// log(sum(exp(x - m))) + m with m the max, so that exp never overflows; an
// infinite max is replaced by 0 (all -inf gives -inf, any +inf gives +inf).
// The gradient is softmax: grad * exp(x - result).
Tensor logsumexp(const Tensor& self, IntArrayRef dims, bool keepdim) {
  const Reduction r = plan_reduction("logsumexp", self, dims, keepdim);
  Tensor out;
  {
    autograd::NoGradGuard no_grad;
    const Tensor x = self.is_floating_point() ? self : self.to(kFloat32);  // integers give float32, as exp
    if (r.count == 0) {
      out = log(sum(exp(x), dims, keepdim));
    } else {
      Tensor m = amax(x, dims, /*keepdim=*/true);
      m = where(isinf(m), 0.0, m);
      out = (log(sum(exp(x - m), dims, /*keepdim=*/true)) + m).reshape(r.out_shape);
    }
  }
  if (autograd::needs_grad(self)) {
    autograd::record("logsumexp", {self}, out, [self = save(self), result = save_output(out), r](const Tensor& grad) {
      const Tensor x = self.get();
      const Shape kept = kept_shape(x.shape(), r);
      return TensorList{grad.reshape(kept) * exp(x - result.get().reshape(kept))};
    });
  }
  return out;
}

Tensor norm(const Tensor& self, double p, IntArrayRef dims, bool keepdim) {
  detail::check_defined("norm", self);
  EMBER_CHECK(self.is_floating_point(),  // before the dims, as mean's
              "norm(): input dtype should be either floating point or complex dtypes. Got {} instead.", self.dtype());
  const Reduction r = plan_reduction("norm", self, dims, keepdim);
  Tensor out;
  {
    autograd::NoGradGuard no_grad;  // recorded below as one node, with the limits at 0 PyTorch uses
    const Tensor x = upcast_half(self), magnitude = abs(x);
    if (p == 2) {
      out = sqrt(sum(x * x, dims, keepdim));
    } else if (p == 1) {
      out = sum(magnitude, dims, keepdim);
    } else if (p == INFINITY) {
      out = amax(magnitude, dims, keepdim);
    } else if (p == -INFINITY) {
      out = amin(magnitude, dims, keepdim);
    } else if (p == 0) {
      out = sum(ne(x, 0), dims, keepdim, x.dtype());  // the count of non-zeros
    } else {
      out = pow(sum(pow(magnitude, p), dims, keepdim), 1.0 / p);
    }
    out = out.to(self.dtype());
  }
  if (autograd::needs_grad(self)) {
    autograd::record("norm", {self}, out, [self = save(self), result = save_output(out), r, p](const Tensor& grad) {
      const Tensor x = self.get();
      const Shape kept = kept_shape(x.shape(), r);
      const Tensor g = grad.reshape(kept), norm_k = result.get().reshape(kept);
      if (p == 0) return TensorList{zeros_like(x)};
      if (p == 1) return TensorList{g * sign(x)};
      if (std::isinf(p)) {  // shared among the elements at the extreme, as amax
        const Tensor at_extreme = eq(abs(x), norm_k);
        return TensorList{where(at_extreme, g * sign(x) / sum(at_extreme, reduced_dims(r), /*keepdim=*/true), 0.0)};
      }
      // d||x||_p / dx = x |x|^(p-2) / ||x||^(p-1); 0 where the norm is 0.
      const Tensor scaled = p == 2 ? x / norm_k : x * pow(abs(x), p - 2) / pow(norm_k, p - 1);
      return TensorList{where(eq(norm_k, 0), 0.0, g * scaled)};
    });
  }
  return out;
}

Tensor all(const Tensor& self) { return logic_impl("all", Logic::All, self, {}, /*keepdim=*/false); }
Tensor all(const Tensor& self, int64_t dim, bool keepdim) { return logic_impl("all", Logic::All, self, {dim}, keepdim); }
Tensor any(const Tensor& self) { return logic_impl("any", Logic::Any, self, {}, /*keepdim=*/false); }
Tensor any(const Tensor& self, int64_t dim, bool keepdim) { return logic_impl("any", Logic::Any, self, {dim}, keepdim); }

Tensor cumsum(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  detail::check_defined("cumsum", self);
  detail::check_cpu("cumsum", self);
  const int64_t d = wrap_dim("cumsum", dim, self.dim());
  const Tensor input = detail::cast_if_needed(self, accumulate_dtype(self, dtype));
  Tensor out = empty(self.shape(), input.options());
  const Tensor rows = self.dim() == 0 ? input.reshape({1}) : input, out_rows = out.view(rows.shape());
  const int64_t length = rows.shape()[d], in_stride = rows.strides()[d], out_stride = out_rows.strides()[d];
  dispatch_dtype("cumsum", input.dtype(), [&]<class T>() {
    using Acc = sum_acc_t<T>;
    const T* in = rows.data_ptr<T>();
    T* result = out_rows.data_ptr<T>();
    cpu::for_each_row<2>(rows.shape(), d, {rows.strides(), out_rows.strides()}, cpu::RowOrder::Any,
                         [&](int64_t, const std::array<int64_t, 2>& offsets) {
                           Acc acc = 0;
                           for (int64_t i = 0; i < length; ++i) {
                             acc = functors::wrapping_add(acc, static_cast<Acc>(in[offsets[0] + i * in_stride]));
                             result[offsets[1] + i * out_stride] = static_cast<T>(acc);
                           }
                         });
  });
  if (autograd::needs_grad(self)) {
    // Each input feeds every later output: the gradient is the reversed cumulative sum.
    autograd::record("cumsum", {self}, out, [d, rows_dim = self.dim() == 0](const Tensor& grad) {
      if (rows_dim) return TensorList{grad};
      return TensorList{flip(cumsum(flip(grad, {d}), d), {d})};
    });
  }
  return out;
}

Tensor Tensor::sum(std::optional<DType> dtype) const { return ember::sum(*this, {}, /*keepdim=*/false, dtype); }
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<DType> dtype) const {
  return ember::sum(*this, dims, keepdim, dtype);
}
Tensor Tensor::mean(std::optional<DType> dtype) const { return ember::mean(*this, {}, /*keepdim=*/false, dtype); }
Tensor Tensor::mean(IntArrayRef dims, bool keepdim, std::optional<DType> dtype) const {
  return ember::mean(*this, dims, keepdim, dtype);
}
Tensor Tensor::prod(std::optional<DType> dtype) const { return ember::prod(*this, std::nullopt, /*keepdim=*/false, dtype); }
Tensor Tensor::prod(int64_t dim, bool keepdim, std::optional<DType> dtype) const {
  return ember::prod(*this, dim, keepdim, dtype);
}
Tensor Tensor::amax(IntArrayRef dims, bool keepdim) const { return ember::amax(*this, dims, keepdim); }
Tensor Tensor::amin(IntArrayRef dims, bool keepdim) const { return ember::amin(*this, dims, keepdim); }
Tensor Tensor::max() const { return ember::max(*this); }
std::pair<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const { return ember::max(*this, dim, keepdim); }
Tensor Tensor::min() const { return ember::min(*this); }
std::pair<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const { return ember::min(*this, dim, keepdim); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const { return ember::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const { return ember::argmin(*this, dim, keepdim); }
Tensor Tensor::var(IntArrayRef dims, double correction, bool keepdim) const {
  return ember::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(IntArrayRef dims, double correction, bool keepdim) const {
  return ember::std(*this, dims, correction, keepdim);
}
Tensor Tensor::logsumexp(IntArrayRef dims, bool keepdim) const { return ember::logsumexp(*this, dims, keepdim); }
Tensor Tensor::norm(double p, IntArrayRef dims, bool keepdim) const { return ember::norm(*this, p, dims, keepdim); }
Tensor Tensor::all() const { return ember::all(*this); }
Tensor Tensor::all(int64_t dim, bool keepdim) const { return ember::all(*this, dim, keepdim); }
Tensor Tensor::any() const { return ember::any(*this); }
Tensor Tensor::any(int64_t dim, bool keepdim) const { return ember::any(*this, dim, keepdim); }
Tensor Tensor::cumsum(int64_t dim, std::optional<DType> dtype) const { return ember::cumsum(*this, dim, dtype); }

}  // namespace ember
