// gradcheck (central differences in float64) and gradgradcheck for the ops
// whose family tests have no op table of their own: composites of scalars,
// where/lerp/clamp with tensor bounds, prod/max/cumsum/softmax, linear
// algebra, views, joins, indexing and sorting, on samples with broadcasting,
// non-contiguous (transposed) inputs and 0-d tensors. The unary, binary and
// reduction tables run the same checks in tests/ops/. Also the convolution,
// pooling and normalization ops and the nn::functional forms. Also tests gradcheck.
#include "harness.h"

using namespace ember;
using namespace ember::testing;

namespace {

using Fn = std::function<Tensor(const autograd::TensorList&)>;

struct Input {
  Shape shape;
  double lo = -2, hi = 2;
  Layout layout = Layout::Contiguous;
};

struct OpCase {
  const char* name;
  std::vector<Input> inputs;
  Fn fn;
  bool second_order = true;
};

autograd::TensorList make_inputs(const std::vector<Input>& specs) {
  autograd::TensorList inputs;
  uint64_t seed = 11;
  for (const Input& in : specs) {
    inputs.push_back(make_tensor(in.shape, kFloat64, in.lo, in.hi, seed++, in.layout).requires_grad_());
  }
  return inputs;
}

const Input kMatrix{{3, 4}}, kTransposed{{3, 4}, -2, 2, Layout::Transposed}, kPositive{{3, 4}, 0.5, 2};
const Input kScalar{{}}, kRow{{4}}, kCube{{2, 3, 4}};

std::vector<OpCase> op_table() {
  using L = const autograd::TensorList&;
  return {
      // elementwise composites, scalars and 0-d operands, tensor-valued bounds
      {"add_scalar_tensor", {kTransposed, kScalar}, [](L x) { return x[0] + x[1]; }},
      {"scalar_ops", {kMatrix}, [](L x) { return (3.0 - x[0] * 2.0 + 1.0) / 4.0; }},
      {"pow_scalar", {kPositive}, [](L x) { return x[0].pow(2.5); }},
      {"pow_base", {kRow}, [](L x) { return pow(Scalar(1.7), x[0]); }},
      {"lerp", {kMatrix, kMatrix, {{4}, 0, 1}}, [](L x) { return lerp(x[0], x[1], x[2]); }},
      {"where", {kMatrix, kRow}, [](L x) { return where(gt(x[0], 0.1), x[0], x[1]); }},
      {"clamp_tensor", {kMatrix, {{4}, -2, -0.5}, {{3, 1}, 0.5, 2}}, [](L x) { return clamp(x[0], x[1], x[2]); }},
      {"nan_to_num", {kMatrix}, [](L x) { return x[0].nan_to_num(); }},
      {"masked_fill", {kMatrix}, [](L x) { return x[0].masked_fill(gt(x[0], 0), 2.0); }},
      // reductions without a row in the reduction table, softmax
      {"prod", {{{3, 4}, 0.5, 1.5}}, [](L x) { return x[0].prod(1); }},
      {"prod_with_zero", {kMatrix}, [](L x) { return (x[0] * tensor({0.0, 1.0, 1.0, 1.0})).prod(1); }},
      {"prod_all", {{{2, 3}, 0.5, 1.5}}, [](L x) { return x[0].prod(); }},
      {"max_dim", {kCube}, [](L x) { return x[0].max(1).first; }},
      {"min_all", {kMatrix}, [](L x) { return x[0].min(); }},
      {"zero_dim", {kScalar, kScalar}, [](L x) { return x[0].exp() * x[1] + x[0].sum() + x[1].logsumexp({}); }},
      {"cumsum", {kTransposed}, [](L x) { return x[0].cumsum(1); }},
      {"softmax", {kCube}, [](L x) { return softmax(x[0], 1); }},
      {"log_softmax", {kTransposed}, [](L x) { return log_softmax(x[0], -1); }},
      // linear algebra
      {"matmul", {kMatrix, {{4, 2}}}, [](L x) { return matmul(x[0], x[1]); }},
      {"matmul_batched_broadcast", {{{2, 1, 3, 4}}, {{3, 4, 2}}}, [](L x) { return matmul(x[0], x[1]); }},
      {"matmul_vector_matrix", {kRow, {{2, 4, 3}}}, [](L x) { return matmul(x[0], x[1]); }},
      {"matmul_matrix_vector", {kCube, kRow}, [](L x) { return matmul(x[0], x[1]); }},
      {"matmul_dot", {kRow, kRow}, [](L x) { return matmul(x[0], x[1]); }},
      {"mm", {kTransposed, {{4, 2}}}, [](L x) { return mm(x[0], x[1]); }},
      {"bmm", {kCube, {{2, 4, 3}}}, [](L x) { return bmm(x[0], x[1]); }},
      {"addmm", {kRow, {{2, 3}}, {{3, 4}}}, [](L x) { return addmm(x[0], x[1], x[2], 0.5, 2.0); }},
      {"mv", {kMatrix, kRow}, [](L x) { return mv(x[0], x[1]); }},
      {"dot", {kRow, kRow}, [](L x) { return dot(x[0], x[1]); }},
      {"outer", {{{3}}, kRow}, [](L x) { return outer(x[0], x[1]); }},
      {"einsum_attention", {{{2, 2, 3, 4}}, {{2, 2, 5, 4}}}, [](L x) { return einsum("bhqd,bhkd->bhqk", {x[0], x[1]}); }},
      {"einsum_trace", {{{3, 3}}}, [](L x) { return einsum("ii->", {x[0]}); }},
      // views
      {"view_permute", {kCube}, [](L x) { return x[0].permute({2, 0, 1}).reshape({4, 6}); }},
      {"transpose_t", {kTransposed}, [](L x) { return x[0].t() * tensor({1.0, 2.0, 3.0}); }},
      {"expand", {{{3, 1}}}, [](L x) { return x[0].expand({2, 3, 4}); }},
      {"squeeze_unsqueeze", {{{3, 1, 4}}}, [](L x) { return x[0].squeeze().unsqueeze(0).squeeze(0).unsqueeze(-1); }},
      {"flatten_unflatten", {kCube}, [](L x) { return x[0].flatten().unflatten(0, {4, 6}); }},
      {"slice_step", {kCube}, [](L x) { return x[0].slice(2, 1, std::nullopt, 2); }},
      {"narrow_select", {kTransposed}, [](L x) { return x[0].narrow(0, 1, 2).select(1, -1); }},
      {"diagonal", {kCube}, [](L x) { return x[0].diagonal(1, 1, 2); }},
      {"reshape_copy", {kTransposed}, [](L x) { return x[0].reshape({12}); }},
      // joining and copies
      {"cat", {kMatrix, {{3, 2}}}, [](L x) { return cat({x[0], x[1]}, 1); }},
      {"stack", {kMatrix, kTransposed}, [](L x) { return stack({x[0], x[1]}, 1); }},
      {"split_chunk_unbind", {kMatrix},
       [](L x) { return x[0].split(3, 1)[1] + x[0].chunk(2, 1)[0].sum() + x[0].unbind(1)[2].sum(); }},
      {"repeat_tile", {{{2, 3}}}, [](L x) { return x[0].repeat({2, 1, 2}).sum(0) + x[0].tile({1, 2}); }},
      {"flip_roll", {kTransposed}, [](L x) { return x[0].flip({0, 1}) + x[0].roll({1, -2}, {0, 1}); }},
      {"tril_triu", {kMatrix}, [](L x) { return x[0].tril() + x[0].triu(1) * 2; }},
      {"clone_contiguous", {kTransposed}, [](L x) { return x[0].clone() + x[0].contiguous(); }},
      {"as_strided", {kMatrix}, [](L x) { return x[0].as_strided({3, 2}, {2, 1}, 1); }},
      {"copy_into", {kRow},
       [](L x) {
         Tensor out = zeros({3, 4}, kFloat64);
         out.copy_(x[0]);
         return out;
       }},
      // indexing and sorting
      {"gather", {kMatrix}, [](L x) { return x[0].gather(1, tensor({{0, 0}, {3, 1}, {2, 2}})); }},
      {"scatter", {kMatrix, {{3, 2}}}, [](L x) { return x[0].scatter(1, tensor({{0, 2}, {1, 3}, {3, 0}}), x[1]); }},
      {"scatter_value", {kMatrix}, [](L x) { return x[0].scatter(1, tensor({{0}, {1}, {3}}), 5.0); }},
      {"scatter_add", {kMatrix, {{3, 2}}},
       [](L x) { return x[0].scatter_add(1, tensor({{0, 0}, {1, 3}, {3, 3}}), x[1]); }},
      {"index_select", {kTransposed}, [](L x) { return x[0].index_select(1, tensor({3, 0, 3})); }},
      {"index_add", {kMatrix, {{3, 2}}}, [](L x) { return x[0].index_add(1, tensor({1, 1}), x[1], 0.5); }},
      {"masked_select", {kMatrix}, [](L x) { return x[0].masked_select(gt(x[0], 0)); }},
      {"take", {kTransposed}, [](L x) { return x[0].take(tensor({{0, -1}, {5, 5}})); }},
      {"sort", {kTransposed}, [](L x) { return x[0].sort(1).first; }},
      {"topk", {kCube}, [](L x) { return x[0].topk(2, 1).first; }},
      {"pad", {kTransposed}, [](L x) { return pad(x[0], {1, 2, -1, 0}, 0.5); }},
      // convolution, pooling, normalization (ops/conv.cpp, pool.cpp, norm.cpp; float64 runs the composite convolution)
      {"conv2d", {{{2, 4, 5, 4}}, {{6, 2, 3, 2}}, {{6}}},
       [](L x) { return conv2d(x[0], x[1], x[2], {.stride = {2, 1}, .padding = 1, .dilation = {1, 2}, .groups = 2}); }},
      {"conv2d_same", {{{1, 2, 4, 5}}, {{3, 2, 2, 3}}}, [](L x) { return conv2d(x[0], x[1], {}, {.padding = kSame}); }},
      {"conv1d", {{{2, 3, 7}}, {{2, 3, 3}}, {{2}}}, [](L x) { return conv1d(x[0], x[1], x[2], {.stride = 2}); }},
      {"conv_transpose2d", {{{1, 4, 3, 3}}, {{4, 1, 3, 2}}},
       [](L x) { return conv_transpose2d(x[0], x[1], {}, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2}); }},
      {"max_pool2d", {{{2, 2, 5, 5}}}, [](L x) { return max_pool2d(x[0], 3, {.stride = 2, .padding = 1}); }},
      {"avg_pool2d", {{{2, 2, 5, 5}}},
       [](L x) { return avg_pool2d(x[0], 2, {.stride = 2, .ceil_mode = true, .count_include_pad = false}); }},
      {"adaptive_avg_pool2d", {{{1, 2, 5, 7}}}, [](L x) { return adaptive_avg_pool2d(x[0], {2, 3}); }},
      {"batch_norm_training", {{{4, 3, 2, 2}}, {{3}}, {{3}}},
       [](L x) { return batch_norm(x[0], {}, {}, {.weight = x[1], .bias = x[2], .training = true}); }},
      // nn::functional (nn/): each differentiable, as issue 4 asks
      {"F::linear", {kMatrix, {{2, 4}}, {{2}}}, [](L x) { return nn::functional::linear(x[0], x[1], x[2]); }},
      {"F::layer_norm", {kCube, kRow, kRow},
       [](L x) { return nn::functional::layer_norm(x[0], {4}, x[1], x[2]); }},
      {"F::dropout", {kMatrix},
       [](L x) {
         manual_seed(3);  // the same mask for every evaluation
         return nn::functional::dropout(x[0], 0.4);
       }},
      {"F::embedding", {{{5, 3}}},
       [](L x) { return nn::functional::embedding(tensor({{0, 4}, {2, 2}}), x[0]); }},
      {"F::scaled_dot_product_attention", {{{2, 3, 4}}, {{2, 5, 4}}, {{2, 5, 3}}},
       [](L x) { return nn::functional::scaled_dot_product_attention(x[0], x[1], x[2]); }},
  };
}

}  // namespace

TEST_CASE("gradcheck: every differentiable op of the table", "[autograd][gradcheck]") {
  for (const OpCase& c : op_table()) {
    INFO("op " << c.name);
    const autograd::TensorList inputs = make_inputs(c.inputs);
    CHECK(autograd::gradcheck(c.fn, inputs));
  }
}

TEST_CASE("gradgradcheck: ops whose backward is differentiable", "[autograd][gradcheck]") {
  for (const OpCase& c : op_table()) {
    if (!c.second_order) continue;
    INFO("op " << c.name);
    const autograd::TensorList inputs = make_inputs(c.inputs);
    CHECK(autograd::gradgradcheck(c.fn, inputs));
  }
}

TEST_CASE("gradcheck catches a wrong backward and names it", "[autograd][gradcheck]") {
  // sign's gradient is 0; pretending it is the identity must fail.
  auto wrong = [](const autograd::TensorList& x) { return x[0].sign() + x[0].detach() * 0; };
  REQUIRE(autograd::gradcheck([](const autograd::TensorList& x) { return x[0] * 3; },
                              {tensor({1.0, 2.0}, kFloat64).requires_grad_()}));
  Tensor x = tensor({0.5, 1.5}, kFloat64).requires_grad_();
  // A function whose analytical gradient (of exp) is checked against a numerically different one.
  auto lying = [](const autograd::TensorList& in) {
    Tensor y = in[0] * 2;
    y.register_hook([](const Tensor& g) { return g * 0.5; });  // halves the true gradient
    return y;
  };
  REQUIRE_ERROR(autograd::gradcheck(lying, {x}), "gradcheck: Jacobian mismatch for output element 0 with respect to input 0");
  REQUIRE_ERROR(autograd::gradcheck(wrong, {tensor({1.0f}).requires_grad_()}), "gradcheck: expected float64 CPU inputs");
  REQUIRE_ERROR(autograd::gradcheck(wrong, {tensor({1.0}, kFloat64)}), "gradcheck: expected at least one input that requires grad");
}
