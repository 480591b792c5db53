// Linear algebra: matmul (NumPy semantics, batched broadcasting), mm, bmm,
// addmm, mv, dot, outer. Every product funnels into matmul_into, which lays
// operands out for cpu::gemm_batched (ops/cpu/gemm.h). einsum is ops/einsum.cpp.
#include <ember/ops/cpu/gemm.h>
#include <ember/ops/toolkit.h>

#include <string>
#include <vector>

namespace ember {
namespace {

// "2x3", the way PyTorch prints matrix shapes in its GEMM errors.
std::string x_joined(IntArrayRef shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

void check_operands(const char* op, const Tensor& self, const Tensor& other) {
  detail::check_defined(op, self);
  detail::check_defined(op, other);
  detail::check_same_device(op, self, other);
  detail::check_cpu(op, self);
  EMBER_CHECK(self.dtype() == other.dtype(), "{}: expected m1 and m2 to have the same dtype, but got: {} != {}", op,
              self.dtype(), other.dtype());
  EMBER_CHECK(self.dtype() != kBool, "{}: expected a numeric dtype (not bool), got bool (convert with .to(kInt64))", op);
}

void check_dim(const char* op, const char* name, const Tensor& t, int64_t dim) {
  EMBER_CHECK(t.dim() == dim, "{}: expected {} to be a {}-D tensor, got {}-D (shape {})", op, name, dim, t.dim(),
              t.shape());
}

void check_inner(const char* op, const Tensor& self, const Tensor& other, int64_t self_k, int64_t other_k) {
  EMBER_CHECK(self_k == other_k,
              "{}: mat1 and mat2 shapes cannot be multiplied ({} and {}); expected the last dim of self to equal the "
              "contracted dim of other, got {} and {}",
              op, x_joined(self.shape()), x_joined(other.shape()), self_k, other_k);
}

// Element offsets of every matrix of t, a [..., rows, cols] view whose batch
// dims broadcast (right-aligned, size 1 repeating) to batch_shape.
std::vector<int64_t> batch_offsets(const Tensor& t, IntArrayRef batch_shape) {
  const int64_t nb = static_cast<int64_t>(batch_shape.size()), tb = t.dim() - 2;
  Shape strides(nb, 0);
  for (int64_t d = 0; d < tb; ++d) strides[nb - tb + d] = t.shape()[d] == 1 ? 0 : t.strides()[d];
  std::vector<int64_t> offsets(static_cast<size_t>(numel_of(batch_shape)));
  Shape index(nb, 0);
  int64_t offset = 0;
  for (int64_t& o : offsets) {
    o = offset;
    for (int64_t d = nb - 1; d >= 0; --d) {  // odometer increment
      offset += strides[d];
      if (++index[d] < batch_shape[d]) break;
      offset -= strides[d] * batch_shape[d];
      index[d] = 0;
    }
  }
  return offsets;
}

// BLAS reads float operands in place when their matrix strides allow it (any
// transpose), else from a contiguous copy. The integer loop takes any strides.
Tensor gemm_operand(const Tensor& t) {
  if (!is_floating_point(t.dtype())) return t;
  bool in_place = cpu::blas_compatible(t.size(-2), t.size(-1), t.stride(-2), t.stride(-1));
  return in_place ? t : t.contiguous();
}

bool is_zero(const Scalar& s) { return s.to_double() == 0.0; }

// out = alpha * self @ other + beta * out. self [..., M, K] and other [..., K, N]
// have batch dims that broadcast to out's [..., M, N]; out is fresh and
// contiguous, of the operands' dtype. beta == 0 ignores out's contents.
void matmul_into(const Tensor& out, const Tensor& self, const Tensor& other, const Scalar& alpha,
                 const Scalar& beta) {
  autograd::NoGradGuard no_grad;  // the layout copies made here are not part of the graph
  if (out.dtype() == kFloat16 || out.dtype() == kBFloat16) {
    // Half and bfloat16 compute in float32: convert, one float GEMM, convert back.
    Tensor out32 = is_zero(beta) ? empty(out.shape(), kFloat32) : out.to(kFloat32);
    matmul_into(out32, self.to(kFloat32), other.to(kFloat32), alpha, beta);
    Tensor result = out;
    result.copy_(out32);
    return;
  }
  Tensor a = gemm_operand(self), b = gemm_operand(other);
  const int64_t nd = out.dim();
  IntArrayRef batch_shape(out.shape().data(), static_cast<size_t>(nd - 2));
  std::vector<int64_t> a_offsets = batch_offsets(a, batch_shape), b_offsets = batch_offsets(b, batch_shape),
                       c_offsets = batch_offsets(out, batch_shape);
  cpu::gemm_batched(out.dtype(), numel_of(batch_shape), out.size(-2), out.size(-1), a.size(-1), alpha,
                    {a.data_ptr(), a.stride(-2), a.stride(-1), a_offsets.data()},
                    {b.data_ptr(), b.stride(-2), b.stride(-1), b_offsets.data()}, beta,
                    {out.data_ptr(), out.stride(-2), out.stride(-1), c_offsets.data()});
}

// Do t's batch dims and rows flatten into one dim of rows without a copy?
// Then [..., M, K] @ [K, N] is one large GEMM instead of a batch of small ones.
bool rows_fold(const Tensor& t) {
  int64_t needed = -1;
  for (int64_t d = t.dim() - 2; d >= 0; --d) {
    if (t.shape()[d] == 1) continue;
    if (needed != -1 && t.strides()[d] != needed) return false;
    needed = t.strides()[d] * t.shape()[d];
  }
  return true;
}

using autograd::TensorList;

// Runs a forward without recording the views it takes of its operands; the op
// records itself as one node (record_product).
template <class Forward>
Tensor untracked(const Forward& forward) {
  autograd::NoGradGuard no_grad;
  return forward();
}

// Records formula(grad, self, other) -> {grad_self, grad_other} as out's backward.
template <class Formula>
Tensor record_product(const char* op, const Tensor& self, const Tensor& other, const Tensor& out,
                      const Formula& formula) {
  if (autograd::needs_grad(self, other)) {
    autograd::record(op, {self, other}, out,
                     [self = autograd::save(self), other = autograd::save(other), formula](const Tensor& grad) {
                       return formula(grad, self.get(), other.get());
                     });
  }
  return out;
}

Tensor matmul_forward(const Tensor& self, const Tensor& other) {
  const int64_t da = self.dim(), db = other.dim();
  // 1-D operands become a row (self) or a column (other); their dim is dropped from the result.
  Tensor a = da == 1 ? self.unsqueeze(0) : self;
  Tensor b = db == 1 ? other.unsqueeze(-1) : other;
  check_inner("matmul", self, other, a.size(-1), b.size(-2));
  const int64_t m = a.size(-2), n = b.size(-1);

  if (a.dim() > 2 && b.dim() == 2 && rows_fold(a)) {
    IntArrayRef leading(a.shape().data(), static_cast<size_t>(a.dim() - 1));
    Shape result_shape(leading);
    if (db > 1) result_shape.push_back(n);
    const int64_t rows = numel_of(leading);
    Tensor out = empty({rows, n}, self.options());
    matmul_into(out, a.view({rows, a.size(-1)}), b, 1, 0);
    return out.view(result_shape);
  }

  Shape shape = broadcast_shapes("matmul", IntArrayRef(a.shape().data(), static_cast<size_t>(a.dim() - 2)),
                                 IntArrayRef(b.shape().data(), static_cast<size_t>(b.dim() - 2)));
  Shape result_shape = shape;
  shape.push_back(m);
  shape.push_back(n);
  if (da > 1) result_shape.push_back(m);
  if (db > 1) result_shape.push_back(n);
  Tensor out = empty(shape, self.options());
  matmul_into(out, a, b, 1, 0);
  return out.view(result_shape);
}

// Note [Gradients in the operand's layout]
// d(a @ b)/da = grad @ b^T and d(a @ b)/db = a^T @ grad. When an operand is a
// transposed view (column-major; nn's linear passes weight.t()), the same
// product is computed transposed, (b @ grad^T)^T, so that after the view's own
// backward (a transpose) the gradient reaching the parameter is contiguous and
// is accumulated without a copy. PyTorch's mm backward does the same.
bool is_column_major(const Tensor& t) {
  return t.dim() == 2 && t.size(0) > 1 && t.size(1) > 1 && t.stride(0) == 1 && t.stride(1) == t.size(0);
}
Tensor mm_grad_self(const Tensor& grad, const Tensor& self, const Tensor& other) {
  return is_column_major(self) ? mm(other, grad.t()).t() : mm(grad, other.t());
}
Tensor mm_grad_other(const Tensor& grad, const Tensor& self, const Tensor& other) {
  return is_column_major(other) ? mm(grad.t(), self).t() : mm(self.t(), grad);
}

}  // namespace

// The backward treats 1-D operands as the row/column they were in the forward
// and sums broadcast batch dims away (sum_to).
Tensor matmul(const Tensor& self, const Tensor& other) {
  check_operands("matmul", self, other);
  EMBER_CHECK(self.dim() >= 1 && other.dim() >= 1,
              "matmul: both arguments to matmul need to be at least 1D, but they are {}D and {}D", self.dim(),
              other.dim());
  Tensor out = untracked([&] { return matmul_forward(self, other); });
  return record_product("matmul", self, other, out, [](const Tensor& grad, const Tensor& self, const Tensor& other) {
    const Tensor a = self.dim() == 1 ? self.unsqueeze(0) : self, b = other.dim() == 1 ? other.unsqueeze(-1) : other;
    // grad with the dims the forward dropped put back: [..., m, n].
    Tensor g = self.dim() == 1 ? grad.unsqueeze(other.dim() == 1 ? 0 : -2) : grad;
    if (other.dim() == 1) g = g.unsqueeze(-1);
    const Tensor grad_a = autograd::needs_input_grad(0) ? matmul(g, b.transpose(-1, -2)) : Tensor();
    const Tensor grad_b = autograd::needs_input_grad(1) ? matmul(a.transpose(-1, -2), g) : Tensor();
    return TensorList{grad_a.defined() ? autograd::sum_to(grad_a, a.shape()).reshape(self.shape()) : grad_a,
                      grad_b.defined() ? autograd::sum_to(grad_b, b.shape()).reshape(other.shape()) : grad_b};
  });
}

Tensor mm(const Tensor& self, const Tensor& other) {
  check_operands("mm", self, other);
  check_dim("mm", "self", self, 2);
  check_dim("mm", "mat2", other, 2);
  check_inner("mm", self, other, self.size(1), other.size(0));
  Tensor out = empty({self.size(0), other.size(1)}, self.options());
  matmul_into(out, self, other, 1, 0);
  return record_product("mm", self, other, out, [](const Tensor& grad, const Tensor& self, const Tensor& other) {
    return TensorList{autograd::needs_input_grad(0) ? mm_grad_self(grad, self, other) : Tensor(),
                      autograd::needs_input_grad(1) ? mm_grad_other(grad, self, other) : Tensor()};
  });
}

Tensor bmm(const Tensor& self, const Tensor& other) {
  check_operands("bmm", self, other);
  check_dim("bmm", "self", self, 3);
  check_dim("bmm", "mat2", other, 3);
  EMBER_CHECK(self.size(0) == other.size(0), "bmm: expected self and mat2 to have the same batch size, got {} and {}",
              self.shape(), other.shape());
  check_inner("bmm", self, other, self.size(2), other.size(1));
  Tensor out = empty({self.size(0), self.size(1), other.size(2)}, self.options());
  matmul_into(out, self, other, 1, 0);
  return record_product("bmm", self, other, out, [](const Tensor& grad, const Tensor& self, const Tensor& other) {
    return TensorList{autograd::needs_input_grad(0) ? bmm(grad, other.transpose(1, 2)) : Tensor(),
                      autograd::needs_input_grad(1) ? bmm(self.transpose(1, 2), grad) : Tensor()};
  });
}

Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, const Scalar& beta, const Scalar& alpha) {
  check_operands("addmm", mat1, mat2);
  detail::check_defined("addmm", input);
  detail::check_same_device("addmm", input, mat1);
  EMBER_CHECK(input.dtype() == mat1.dtype(),
              "addmm: expected input and mat1 to have the same dtype, but got: {} != {}", input.dtype(), mat1.dtype());
  check_dim("addmm", "mat1", mat1, 2);
  check_dim("addmm", "mat2", mat2, 2);
  check_inner("addmm", mat1, mat2, mat1.size(1), mat2.size(0));
  Shape shape{mat1.size(0), mat2.size(1)};
  bool broadcasts = input.dim() <= 2;
  for (int64_t d = 1; broadcasts && d <= input.dim(); ++d) {
    broadcasts = input.size(-d) == 1 || input.size(-d) == shape[2 - d];
  }
  EMBER_CHECK(broadcasts, "addmm: expected input to broadcast to the product's shape {}, got {}", shape,
              input.shape());
  Tensor out = empty(shape, mat1.options());
  {
    autograd::NoGradGuard no_grad;
    // beta == 0 must not read input at all (NaN * 0 would be NaN): PyTorch's rule.
    if (!is_zero(beta)) out.copy_(input);
  }
  matmul_into(out, mat1, mat2, alpha, beta);
  if (autograd::needs_grad(input, mat1, mat2)) {
    autograd::record("addmm", {input, mat1, mat2}, out,
                     [mat1 = autograd::save(mat1), mat2 = autograd::save(mat2), alpha = alpha.to_double(),
                      beta = beta.to_double()](const Tensor& grad) {
                       const Tensor a = mat1.get(), b = mat2.get();
                       auto scaled = [](const Tensor& t, double factor) { return factor == 1.0 ? t : t * factor; };
                       return TensorList{autograd::needs_input_grad(0) ? scaled(grad, beta) : Tensor(),
                                         autograd::needs_input_grad(1) ? scaled(mm_grad_self(grad, a, b), alpha) : Tensor(),
                                         autograd::needs_input_grad(2) ? scaled(mm_grad_other(grad, a, b), alpha) : Tensor()};
                     });
  }
  return out;
}

Tensor mv(const Tensor& self, const Tensor& vec) {
  check_operands("mv", self, vec);
  check_dim("mv", "self", self, 2);
  check_dim("mv", "vec", vec, 1);
  check_inner("mv", self, vec, self.size(1), vec.size(0));
  Tensor out = untracked([&] {
    Tensor column = empty({self.size(0), 1}, self.options());
    matmul_into(column, self, vec.unsqueeze(1), 1, 0);
    return column.view({self.size(0)});
  });
  return record_product("mv", self, vec, out, [](const Tensor& grad, const Tensor& self, const Tensor& vec) {
    return TensorList{autograd::needs_input_grad(0) ? outer(grad, vec) : Tensor(),
                      autograd::needs_input_grad(1) ? mv(self.t(), grad) : Tensor()};
  });
}

Tensor dot(const Tensor& self, const Tensor& other) {
  check_operands("dot", self, other);
  check_dim("dot", "self", self, 1);
  check_dim("dot", "other", other, 1);
  EMBER_CHECK(self.size(0) == other.size(0),
              "dot: expected both vectors to have the same number of elements, got {} and {}", self.size(0),
              other.size(0));
  Tensor out = untracked([&] {
    Tensor product = empty({1, 1}, self.options());
    matmul_into(product, self.unsqueeze(0), other.unsqueeze(1), 1, 0);
    return product.view({});
  });
  return record_product("dot", self, other, out, [](const Tensor& grad, const Tensor& self, const Tensor& other) {
    return TensorList{grad * other, grad * self};
  });
}

// PyTorch's outer is a broadcast multiply: it promotes dtypes and takes bool.
Tensor outer(const Tensor& self, const Tensor& other) {
  detail::check_defined("outer", self);
  detail::check_defined("outer", other);
  check_dim("outer", "self", self, 1);
  check_dim("outer", "vec2", other, 1);
  return self.unsqueeze(1) * other;
}

Tensor Tensor::matmul(const Tensor& other) const { return ember::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return ember::mm(*this, other); }
Tensor Tensor::bmm(const Tensor& other) const { return ember::bmm(*this, other); }
Tensor Tensor::mv(const Tensor& vec) const { return ember::mv(*this, vec); }
Tensor Tensor::dot(const Tensor& other) const { return ember::dot(*this, other); }

}  // namespace ember
