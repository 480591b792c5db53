// Tensor printing, a line-for-line port of PyTorch 1.13's torch/_tensor_str.py
// (default print options: precision 4, threshold 1000, edgeitems 3, linewidth 80).
// Three steps: gather the shown elements, format each one as _Formatter would,
// then lay the cells out in nested brackets and append the suffixes.
#include <ember/core/print.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

namespace ember {
namespace {

constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;  // more elements than this: summarise with "..."
constexpr int64_t kEdgeItems = 3;     // items kept at each end of a summarised dim
constexpr int kLineWidth = 80;

// The indices of dim `size` that are printed: all, or the first and last kEdgeItems.
std::vector<int64_t> shown_indices(int64_t size, bool summarize) {
  std::vector<int64_t> idx;
  if (summarize && size > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
    for (int64_t i = size - kEdgeItems; i < size; ++i) idx.push_back(i);
  } else {
    for (int64_t i = 0; i < size; ++i) idx.push_back(i);
  }
  return idx;
}

// The printed elements in row-major order, as V (double for floating dtypes,
// int64_t for the rest): torch's get_summarized_data when summarising.
template <class T, class V>
void gather(const T* data, const Tensor& t, int64_t dim, int64_t offset, bool summarize, std::vector<V>& out) {
  if (dim == t.dim()) {
    out.push_back(static_cast<V>(static_cast<opmath_t<T>>(data[offset])));
    return;
  }
  for (int64_t i : shown_indices(t.size(dim), summarize)) {
    gather(data, t, dim + 1, offset + i * t.stride(dim), summarize, out);
  }
}

template <class V>
std::vector<V> shown_values(const Tensor& t, bool summarize) {
  std::vector<V> out;
  dispatch_dtype("print", t.dtype(), [&]<class T>() {
    const T* data = static_cast<const T*>(t.data_ptr());
    gather(data, t, 0, 0, summarize, out);
  });
  return out;
}

// The cells (each one element's text) and the column width they were padded to.
struct Cells {
  std::vector<std::string> text;
  int width = 1;
};

std::string pad_left(std::string s, int width) {
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), ' ');
  return s;
}

// Python's format of a float, which writes "nan" for every NaN (fmt writes "-nan" for a negative one).
std::string python_float(double v, const char* spec) {
  if (std::isnan(v)) return "nan";
  return fmt::format(fmt::runtime(spec), v);
}

// _Formatter for floating tensors: integer mode ("1."), fixed ("0.1000") or
// scientific ("1.0000e+08"), chosen from the non-zero finite values.
Cells format_floats(const std::vector<double>& values) {
  std::vector<double> finite;
  for (double v : values) {
    if (std::isfinite(v) && v != 0) finite.push_back(v);
  }
  bool int_mode = true, sci_mode = false;
  int width = 1;
  if (!finite.empty()) {
    double min_abs = INFINITY, max_abs = 0;
    for (double v : finite) {
      min_abs = std::min(min_abs, std::abs(v));
      max_abs = std::max(max_abs, std::abs(v));
      if (v != std::ceil(v)) int_mode = false;
    }
    sci_mode = max_abs / min_abs > 1000.0 || max_abs > 1.0e8 || (!int_mode && min_abs < 1.0e-4);
    for (double v : finite) {
      int len = sci_mode   ? static_cast<int>(fmt::format("{:.{}e}", v, kPrecision).size())
                : int_mode ? static_cast<int>(fmt::format("{:.0f}", v).size()) + 1  // room for the "."
                           : static_cast<int>(fmt::format("{:.{}f}", v, kPrecision).size());
      width = std::max(width, len);
    }
  }
  Cells cells{{}, width};
  cells.text.reserve(values.size());
  for (double v : values) {
    std::string s;
    if (sci_mode) {
      s = python_float(v, "{:.4e}");
    } else if (int_mode) {
      s = python_float(v, "{:.0f}");
      if (std::isfinite(v)) s += '.';
    } else {
      s = python_float(v, "{:.4f}");
    }
    cells.text.push_back(pad_left(std::move(s), width));
  }
  return cells;
}

// _Formatter for integer and bool tensors: Python's str() of each value.
Cells format_integers(const std::vector<int64_t>& values, bool is_bool) {
  Cells cells;
  cells.text.reserve(values.size());
  for (int64_t v : values) {
    cells.text.push_back(is_bool ? (v ? "True" : "False") : fmt::format("{}", v));
    cells.width = std::max(cells.width, static_cast<int>(cells.text.back().size()));
  }
  for (auto& s : cells.text) s = pad_left(std::move(s), cells.width);
  return cells;
}

// Lays out cells (consumed from `next`, row-major) in brackets as
// _tensor_str_with_formatter and _vector_str do.
class Layout {
 public:
  Layout(const Cells& cells, IntArrayRef shape, bool summarize) : cells_(cells), shape_(shape), summarize_(summarize) {}

  std::string nested(size_t dim, int indent) {
    if (shape_.empty()) return cells_.text[next_++];
    if (dim + 1 == shape_.size()) return vector(dim, indent);
    int64_t size = shape_[dim];
    bool cut = summarize_ && size > 2 * kEdgeItems;
    std::vector<std::string> slices;
    for (int64_t i : shown_indices(size, summarize_)) {
      if (cut && i == size - kEdgeItems) slices.push_back("...");
      slices.push_back(nested(dim + 1, indent + 1));
    }
    size_t rank_below = shape_.size() - dim - 1;
    return "[" + join(slices, "," + std::string(rank_below, '\n') + std::string(indent + 1, ' ')) + "]";
  }

 private:
  std::string vector(size_t dim, int indent) {
    int64_t size = shape_[dim];
    bool cut = summarize_ && size > 2 * kEdgeItems;
    std::vector<std::string> items;
    for (int64_t i : shown_indices(size, summarize_)) {
      if (cut && i == size - kEdgeItems) items.push_back(" ...");
      items.push_back(cells_.text[next_++]);
    }
    int element_length = cells_.width + 2;  // the cell plus ", "
    size_t per_line = static_cast<size_t>(std::max(1, (kLineWidth - indent) / element_length));
    std::vector<std::string> lines;
    for (size_t i = 0; i < items.size(); i += per_line) {
      size_t end = std::min(items.size(), i + per_line);
      lines.push_back(join(std::vector<std::string>(items.begin() + static_cast<ptrdiff_t>(i),
                                                    items.begin() + static_cast<ptrdiff_t>(end)),
                           ", "));
    }
    return "[" + join(lines, ",\n" + std::string(indent + 1, ' ')) + "]";
  }

  static std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) out += sep;
      out += parts[i];
    }
    return out;
  }

  const Cells& cells_;
  IntArrayRef shape_;
  bool summarize_;
  size_t next_ = 0;
};

std::string contents(const Tensor& t, int indent) {
  bool summarize = t.numel() > kThreshold;
  Cells cells = t.is_floating_point()
                    ? format_floats(shown_values<double>(t, summarize))
                    : format_integers(shown_values<int64_t>(t, summarize), /*is_bool=*/t.dtype() == kBool);
  return Layout(cells, t.shape(), summarize).nested(0, indent);
}

// Python's str(tuple(shape)): "(0, 3)", "(0,)".
std::string python_tuple(IntArrayRef shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// _add_suffixes: ", suffix" on the last line while it fits in kLineWidth, else on a new line.
std::string add_suffixes(std::string repr, const std::vector<std::string>& suffixes, int indent) {
  size_t newline = repr.rfind('\n');
  // torch's len(s) - s.rfind("\n") + 1, including its off-by-two when there is no newline
  int64_t last_line_len = static_cast<int64_t>(repr.size()) -
                          (newline == std::string::npos ? -1 : static_cast<int64_t>(newline)) + 1;
  for (const std::string& suffix : suffixes) {
    auto len = static_cast<int64_t>(suffix.size());
    if (last_line_len + len + 2 > kLineWidth) {
      repr += ",\n" + std::string(indent, ' ') + suffix;
      last_line_len = indent + len;
    } else {
      repr += ", " + suffix;
      last_line_len += len + 2;
    }
  }
  return repr + ")";
}

}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  const std::string prefix = "tensor(";
  const int indent = static_cast<int>(prefix.size());
  std::vector<std::string> suffixes;
  if (!is_cpu()) suffixes.push_back(fmt::format("device='{}'", device()));
  std::string body;
  if (numel() == 0) {
    // As NumPy: the shape is shown unless it is (0,); the dtype unless it is the default float32.
    if (dim() != 1) suffixes.push_back("size=" + python_tuple(shape()));
    if (dtype() != kFloat32) suffixes.push_back(fmt::format("dtype={}", dtype()));
    body = "[]";
  } else {
    // float32, int64 and bool are what tensor({...}) infers from the values, so they go without saying.
    if (dtype() != kFloat32 && dtype() != kInt64 && dtype() != kBool) {
      suffixes.push_back(fmt::format("dtype={}", dtype()));
    }
    body = contents(to(Device(kCPU)), indent);
  }
  // As torch: a non-leaf shows the node that made it, a leaf that it requires grad.
  const AutogradMeta* meta = impl()->autograd();
  if (meta && meta->grad_fn) {
    suffixes.push_back(fmt::format("grad_fn=<{}>", backward_name(meta->grad_fn_op)));
  } else if (requires_grad()) {
    suffixes.push_back("requires_grad=True");
  }
  return add_suffixes(prefix + body, suffixes, indent);
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace ember
