// einsum: parses the equation (explicit or implicit output, '...', repeated
// subscripts), aligns every operand to one shared dim layout (views only), then
// contracts left to right, each pair as one bmm (or a broadcast mul when
// nothing is summed). Uses only public ops; no per-element index loops.
#include <ember/ops/toolkit.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace ember {
namespace {

// Subscripts a-zA-Z as 0..51 in ASCII order (A-Z first), so that the implicit
// output's "sorted subscripts" order matches PyTorch's.
constexpr int kNumLabels = 52;
constexpr int kEllipsis = -1;

int label_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -2;
}
char char_of(int label) { return static_cast<char>(label < 26 ? 'A' + label : 'a' + (label - 26)); }

// One side of the equation for one operand (or the output): subscripts in
// order, '...' recorded as kEllipsis.
using Term = std::vector<int>;

bool has_ellipsis(const Term& term) { return std::find(term.begin(), term.end(), kEllipsis) != term.end(); }

// Parses equation[begin, end) into one term per ',' (the output has one term).
std::vector<Term> parse_terms(std::string_view equation, size_t begin, size_t end) {
  std::vector<Term> terms(1);
  for (size_t i = begin; i < end; ++i) {
    const char c = equation[i];
    const size_t operand = terms.size() - 1;
    if (c == ',') {
      terms.emplace_back();
    } else if (c == '.') {
      EMBER_CHECK(i + 2 < end && equation[i + 1] == '.' && equation[i + 2] == '.',
                  "einsum(): found '.' for operand {} that is not part of any ellipsis", operand);
      EMBER_CHECK(!has_ellipsis(terms.back()), "einsum(): found more than one ellipsis for operand {}", operand);
      terms.back().push_back(kEllipsis);
      i += 2;
    } else if (c != ' ') {
      EMBER_CHECK(label_of(c) >= 0,
                  "einsum(): invalid subscript given at index {} in the equation string, subscripts must be in [a-zA-Z]",
                  i);
      terms.back().push_back(label_of(c));
    }
  }
  return terms;
}

// The shared layout: output dims first (ellipsis dims where the output has them,
// then the output's subscripts), then every summed subscript, then the
// ellipsis dims if the output drops them (they are summed too).
struct Layout {
  int64_t ndim = 0;
  int64_t out_ndim = 0;
  int64_t ell_ndim = 0;  // dims the ellipsis covers (the most of any operand)
  int64_t ell_start = 0;
  std::array<int64_t, kNumLabels> label_dim;  // -1: subscript unused
};

Layout make_layout(const std::vector<Term>& inputs, const std::optional<Term>& explicit_output,
                   const std::vector<Tensor>& operands, std::array<int, kNumLabels>& counts) {
  Layout layout;
  layout.label_dim.fill(-1);
  counts.fill(0);
  bool any_ellipsis = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    int64_t letters = 0;
    for (int l : inputs[i]) {
      if (l == kEllipsis) continue;
      ++counts[l];
      ++letters;
    }
    const int64_t ndim = operands[i].dim();
    if (has_ellipsis(inputs[i])) {
      any_ellipsis = true;
      EMBER_CHECK(letters <= ndim,
                  "einsum(): the number of subscripts in the equation ({}) is more than the number of dimensions ({}) "
                  "for operand {}",
                  letters, ndim, i);
      layout.ell_ndim = std::max(layout.ell_ndim, ndim - letters);
    } else {
      EMBER_CHECK(letters == ndim,
                  "einsum(): the number of subscripts in the equation ({}) does not match the number of dimensions "
                  "({}) for operand {} and no ellipsis was given",
                  letters, ndim, i);
    }
  }

  Term output;
  if (explicit_output) {
    output = *explicit_output;
    std::array<bool, kNumLabels> seen{};
    for (int l : output) {
      if (l == kEllipsis) continue;
      EMBER_CHECK(counts[l] > 0, "einsum(): output subscript {} does not appear in the equation for any input operand",
                  char_of(l));
      EMBER_CHECK(!seen[l], "einsum(): output subscript {} appears more than once in the output", char_of(l));
      seen[l] = true;
    }
  } else {
    // Implicit output: the ellipsis, then every subscript used once, in sorted order.
    if (any_ellipsis) output.push_back(kEllipsis);
    for (int l = 0; l < kNumLabels; ++l) {
      if (counts[l] == 1) output.push_back(l);
    }
  }

  const bool ellipsis_out = has_ellipsis(output);
  for (int l : output) {
    if (l == kEllipsis) {
      layout.ell_start = layout.ndim;
      layout.ndim += layout.ell_ndim;
    } else {
      layout.label_dim[l] = layout.ndim++;
    }
  }
  layout.out_ndim = layout.ndim;
  for (int l = 0; l < kNumLabels; ++l) {
    if (counts[l] > 0 && layout.label_dim[l] == -1) layout.label_dim[l] = layout.ndim++;
  }
  if (!ellipsis_out) {
    layout.ell_start = layout.ndim;
    layout.ndim += layout.ell_ndim;
  }
  return layout;
}

// The subscript that owns layout dim d (for messages).
char label_at(const Layout& layout, int64_t d) {
  auto it = std::find(layout.label_dim.begin(), layout.label_dim.end(), d);
  return char_of(static_cast<int>(it - layout.label_dim.begin()));
}

// A view of t over `sizes`/`strides` (same storage, same offset).
Tensor restride(const Tensor& t, const Shape& sizes, const Shape& strides) {
  return t.as_strided(sizes, strides, t.storage_offset());
}

// Operand i as a view in the shared layout: repeated subscripts become one
// diagonal dim, absent ones size 1. Checks sizes against those seen so far.
Tensor align_operand(const Tensor& operand, const Term& term, size_t i, const Layout& layout, Shape& seen_sizes) {
  // Each dim of t tagged with its layout dim.
  Tensor t = operand;
  std::vector<int64_t> dims;
  for (int l : term) {
    if (l != kEllipsis) {
      dims.push_back(layout.label_dim[l]);
      continue;
    }
    const int64_t covered = operand.dim() - static_cast<int64_t>(term.size() - 1);
    for (int64_t j = 0; j < covered; ++j) dims.push_back(layout.ell_start + layout.ell_ndim - covered + j);
  }
  // Repeated subscripts: take the diagonal (it moves to the last dim).
  for (size_t d1 = 0; d1 < dims.size(); ++d1) {
    for (size_t d2 = d1 + 1; d2 < dims.size(); ++d2) {
      if (dims[d2] != dims[d1]) continue;
      EMBER_CHECK(t.size(d1) == t.size(d2),
                  "einsum(): subscript {} is repeated for operand {} but the sizes don't match, {} != {}",
                  label_at(layout, dims[d1]),
                  i, t.size(d2), t.size(d1));
      const int64_t d = dims[d1];
      t = t.diagonal(0, static_cast<int64_t>(d1), static_cast<int64_t>(d2));
      dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(d2));
      dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(d1));
      dims.push_back(d);
      d1 = static_cast<size_t>(-1);  // restart: positions shifted
      break;
    }
  }
  for (size_t j = 0; j < dims.size(); ++j) {
    const int64_t d = dims[j], size = t.size(static_cast<int64_t>(j));
    if (size == 1) continue;
    if (seen_sizes[d] != 1 && seen_sizes[d] != size) {
      const bool in_ellipsis = d >= layout.ell_start && d < layout.ell_start + layout.ell_ndim;
      EMBER_CHECK(!in_ellipsis,
                  "einsum(): dimension {} covered by ellipsis in operand {} has size {} which does not broadcast with "
                  "previously seen ellipsis with size {} for the respective dimension",
                  d - layout.ell_start, i, size, seen_sizes[d]);
      detail::fail(ErrorKind::Runtime,
                   "einsum(): subscript {} has size {} for operand {} which does not broadcast with previously seen "
                   "size {}",
                   label_at(layout, d), size, i, seen_sizes[d]);
    }
    seen_sizes[d] = size;
  }
  // t's dims in layout order, then size-1 dims where the operand has no
  // subscript: views with their own backward (an as_strided would not
  // differentiate an operand whose elements overlap, such as conv's windows).
  std::vector<int64_t> order(dims.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return dims[a] < dims[b]; });
  t = t.permute(order);
  std::vector<bool> present(static_cast<size_t>(layout.ndim), false);
  for (int64_t d : dims) present[d] = true;
  for (int64_t d = 0; d < layout.ndim; ++d) {
    if (!present[d]) t = t.unsqueeze(d);
  }
  return t;
}

// Sums t (in the shared layout) over `dims`, keeping them as size 1: a
// matrix-vector product with a ones vector, one GEMV through the BLAS.
Tensor sum_dims(const Tensor& t, const std::vector<int64_t>& dims) {
  if (dims.empty()) return t;
  std::vector<int64_t> perm;
  Shape kept_sizes = t.shape();
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (std::find(dims.begin(), dims.end(), d) != dims.end()) continue;
    perm.push_back(d);
    rows *= t.size(d);
  }
  for (int64_t d : dims) {
    perm.push_back(d);
    cols *= t.size(d);
    kept_sizes[d] = 1;
  }
  Tensor summed = mv(t.permute(perm).reshape({rows, cols}), ones({cols}, t.options()));
  return summed.view(kept_sizes);
}

// Contracts two operands in the shared layout, summing over `summed` dims
// (those no later operand and not the output needs). Dims of size 1 count as
// absent: broadcasting makes them constant along that dim.
Tensor contract_pair(const Tensor& left, const Tensor& right, const std::vector<bool>& summed) {
  const int64_t ndim = left.dim();
  std::vector<int64_t> batch, left_only, right_only, contracted, left_sums, right_sums;
  for (int64_t d = 0; d < ndim; ++d) {
    const bool in_left = left.size(d) != 1, in_right = right.size(d) != 1;
    if (summed[d]) {
      if (in_left && in_right) contracted.push_back(d);
      else if (in_left) left_sums.push_back(d);
      else if (in_right) right_sums.push_back(d);
    } else if (in_left && in_right) {
      batch.push_back(d);
    } else if (in_left) {
      left_only.push_back(d);
    } else if (in_right) {
      right_only.push_back(d);
    }
  }
  // A dim summed in one operand alone is summed there first.
  Tensor a = sum_dims(left, left_sums), b = sum_dims(right, right_sums);

  auto product = [&](const std::vector<int64_t>& dims, const Tensor& t) {
    int64_t p = 1;
    for (int64_t d : dims) p *= t.size(d);
    return p;
  };
  // Every dim appears in exactly one group of the permutation (size-1 ones last).
  auto permutation = [&](std::initializer_list<const std::vector<int64_t>*> groups) {
    std::vector<int64_t> perm;
    for (const auto* g : groups) perm.insert(perm.end(), g->begin(), g->end());
    for (int64_t d = 0; d < ndim; ++d) {
      if (std::find(perm.begin(), perm.end(), d) == perm.end()) perm.push_back(d);
    }
    return perm;
  };
  const int64_t nb = product(batch, a), m = product(left_only, a), n = product(right_only, b),
                k = product(contracted, a);
  Tensor a3 = a.permute(permutation({&batch, &left_only, &contracted})).reshape({nb, m, k});
  Tensor b3 = b.permute(permutation({&batch, &contracted, &right_only})).reshape({nb, k, n});
  // Nothing to sum: an outer product per batch, which a broadcast mul does without a GEMM per element.
  Tensor out = contracted.empty() ? a3 * b3 : bmm(a3, b3);  // [nb, m, n]

  Shape sizes(ndim, 1), strides(ndim, 0);
  int64_t stride = 1;
  for (const auto* group : {&right_only, &left_only, &batch}) {  // innermost first: out is contiguous
    for (auto it = group->rbegin(); it != group->rend(); ++it) {
      const int64_t d = *it;
      sizes[d] = (group == &right_only ? b : a).size(d);
      strides[d] = stride;
      stride *= sizes[d];
    }
  }
  return restride(out.contiguous(), sizes, strides);
}

}  // namespace

Tensor einsum(std::string_view equation, const std::vector<Tensor>& operands) {
  EMBER_CHECK(!operands.empty(), "einsum(): must provide at least one operand");
  for (const Tensor& t : operands) {
    detail::check_defined("einsum", t);
    detail::check_cpu("einsum", t);
    detail::check_same_device("einsum", operands[0], t);
    EMBER_CHECK(t.dtype() == operands[0].dtype(),
                "einsum(): expected all operands to have the same dtype, got {} and {}", operands[0].dtype(), t.dtype());
  }
  EMBER_CHECK(operands[0].dtype() != kBool, "einsum(): expected a numeric dtype (not bool), got bool");

  const size_t arrow = equation.find("->");
  std::vector<Term> inputs = parse_terms(equation, 0, std::min(arrow, equation.size()));
  std::optional<Term> output;
  if (arrow != std::string_view::npos) {
    std::vector<Term> out_terms = parse_terms(equation, arrow + 2, equation.size());
    EMBER_CHECK(out_terms.size() == 1, "einsum(): expected one output term after '->', got {} in \"{}\"",
                out_terms.size(), equation);
    output = out_terms[0];
  }
  EMBER_CHECK(inputs.size() <= operands.size(), "einsum(): fewer operands were provided than specified in the equation");
  EMBER_CHECK(inputs.size() >= operands.size(), "einsum(): more operands were provided than specified in the equation");

  std::array<int, kNumLabels> counts;
  const Layout layout = make_layout(inputs, output, operands, counts);
  Shape seen_sizes(layout.ndim, 1);
  std::vector<Tensor> aligned;
  for (size_t i = 0; i < operands.size(); ++i) {
    aligned.push_back(align_operand(operands[i], inputs[i], i, layout, seen_sizes));
  }

  // last_use[d]: the last operand with dim d (size != 1); after it, a dim not
  // in the output can be summed away.
  std::vector<int64_t> last_use(layout.ndim, -1);
  for (size_t i = 0; i < aligned.size(); ++i) {
    for (int64_t d = 0; d < layout.ndim; ++d) {
      if (aligned[i].size(d) != 1) last_use[d] = static_cast<int64_t>(i);
    }
  }
  auto summable_after = [&](int64_t i) {
    std::vector<bool> summed(layout.ndim, false);
    for (int64_t d = layout.out_ndim; d < layout.ndim; ++d) summed[d] = last_use[d] <= i;
    return summed;
  };

  Tensor result = aligned[0];
  for (size_t i = 1; i < aligned.size(); ++i) {
    result = contract_pair(result, aligned[i], summable_after(static_cast<int64_t>(i)));
  }
  // Whatever is left to sum (a single operand's dims): sum it out of result.
  std::vector<int64_t> leftover;
  for (int64_t d = layout.out_ndim; d < layout.ndim; ++d) {
    if (result.size(d) != 1) leftover.push_back(d);
  }
  result = sum_dims(result, leftover);

  return result.reshape(IntArrayRef(result.shape().data(), static_cast<size_t>(layout.out_ndim)));
}

}  // namespace ember
