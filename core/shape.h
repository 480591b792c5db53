// Shape (sizes or strides, inline up to 6 dims, no heap below that), the
// IntArrayRef view that every op takes, and shape arithmetic: numel with
// overflow checks, contiguous strides, dim wrapping and broadcasting.
#pragma once

#include <ember/core/error.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <vector>

namespace ember {

class Shape;

// A non-owning view of int64 values: from a braced list, a vector or a Shape.
// Like std::span, but also binds to `{2, 3}` at a call site (lifetime: the call).
class IntArrayRef {
 public:
  constexpr IntArrayRef() = default;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"  // by design: the list outlives the call it is passed to
  IntArrayRef(std::initializer_list<int64_t> list) : data_(list.begin()), size_(list.size()) {}
#pragma GCC diagnostic pop
  // One value, as in `sum(x, 1)` or `zeros(5)` (refers to the argument: use within the call).
  IntArrayRef(const int64_t& one) : data_(&one), size_(1) {}
  IntArrayRef(const std::vector<int64_t>& v) : data_(v.data()), size_(v.size()) {}
  constexpr IntArrayRef(const int64_t* data, size_t size) : data_(data), size_(size) {}
  IntArrayRef(const Shape& s);

  const int64_t* begin() const { return data_; }
  const int64_t* end() const { return data_ + size_; }
  const int64_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t operator[](size_t i) const { return data_[i]; }
  int64_t back() const { return data_[size_ - 1]; }
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  friend bool operator==(IntArrayRef a, IntArrayRef b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

 private:
  const int64_t* data_ = nullptr;
  size_t size_ = 0;
};

// Sizes or strides of a tensor. Inline storage for kInlineDims dims; more spill
// to the heap (rare: only very high-rank tensors pay for an allocation).
class Shape {
 public:
  static constexpr size_t kInlineDims = 6;

  Shape() = default;
  explicit Shape(size_t n, int64_t value = 0) { resize(n, value); }
  Shape(std::initializer_list<int64_t> list) { assign(list.begin(), list.size()); }
  Shape(IntArrayRef ref) { assign(ref.data(), ref.size()); }
  Shape(const Shape& o) { assign(o.data(), o.size_); }
  Shape(Shape&& o) noexcept { steal(o); }
  Shape& operator=(const Shape& o) {
    if (this != &o) assign(o.data(), o.size_);
    return *this;
  }
  Shape& operator=(Shape&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~Shape() { release(); }

  int64_t* data() { return heap_ ? heap_ : inline_; }
  const int64_t* data() const { return heap_ ? heap_ : inline_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t& operator[](size_t i) { return data()[i]; }
  int64_t operator[](size_t i) const { return data()[i]; }
  int64_t* begin() { return data(); }
  int64_t* end() { return data() + size_; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + size_; }
  int64_t back() const { return data()[size_ - 1]; }

  void resize(size_t n, int64_t value = 0) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) data()[i] = value;
    size_ = n;
  }
  void push_back(int64_t v) {
    reserve(size_ + 1);
    data()[size_++] = v;
  }
  void insert(size_t pos, int64_t v) {
    reserve(size_ + 1);
    int64_t* d = data();
    std::copy_backward(d + pos, d + size_, d + size_ + 1);
    d[pos] = v;
    ++size_;
  }
  void erase(size_t pos) {
    int64_t* d = data();
    std::copy(d + pos + 1, d + size_, d + pos);
    --size_;
  }
  std::vector<int64_t> vec() const { return {begin(), end()}; }

  friend bool operator==(const Shape& a, const Shape& b) { return IntArrayRef(a) == IntArrayRef(b); }
  friend bool operator==(const Shape& a, IntArrayRef b) { return IntArrayRef(a) == b; }

 private:
  void reserve(size_t n) {
    if (n <= capacity_) return;
    size_t cap = std::max(n, 2 * capacity_);
    int64_t* fresh = new int64_t[cap];
    std::copy(data(), data() + size_, fresh);
    release();
    heap_ = fresh;
    capacity_ = cap;
  }
  void assign(const int64_t* src, size_t n) {
    reserve(n);
    std::copy(src, src + n, data());
    size_ = n;
  }
  void release() {
    delete[] heap_;
    heap_ = nullptr;
    capacity_ = kInlineDims;
  }
  void steal(Shape& o) {
    size_ = o.size_;
    if (o.heap_) {
      heap_ = o.heap_;
      capacity_ = o.capacity_;
      o.heap_ = nullptr;
      o.capacity_ = kInlineDims;
    } else {
      std::copy(o.inline_, o.inline_ + o.size_, inline_);
    }
    o.size_ = 0;
  }

  int64_t inline_[kInlineDims];
  int64_t* heap_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = kInlineDims;
};

inline IntArrayRef::IntArrayRef(const Shape& s) : data_(s.data()), size_(s.size()) {}

// Product of sizes; `op` names the caller in the errors for negative sizes and
// for a product that overflows int64.
int64_t checked_numel(const char* op, IntArrayRef sizes);
inline int64_t numel_of(IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}
Shape contiguous_strides(IntArrayRef sizes);
// Do two elements of this geometry share memory (a stretched dim, or windows as conv's)?
bool has_internal_overlap(IntArrayRef sizes, IntArrayRef strides);
// Turns a possibly negative dim into [0, ndim); `op` names the caller in the IndexError.
int64_t wrap_dim(const char* op, int64_t dim, int64_t ndim);
// The broadcast of two shapes (NumPy rules), or an error naming op and both shapes.
Shape broadcast_shapes(const char* op, IntArrayRef a, IntArrayRef b);
std::ostream& operator<<(std::ostream& os, IntArrayRef shape);  // [2, 3]
inline std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << IntArrayRef(shape); }

}  // namespace ember

template <>
struct fmt::formatter<ember::IntArrayRef> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class Ctx>
  auto format(ember::IntArrayRef s, Ctx& ctx) const {
    auto out = fmt::format_to(ctx.out(), "[");
    for (size_t i = 0; i < s.size(); ++i) {
      if (i) out = fmt::format_to(out, ", ");
      out = fmt::format_to(out, "{}", s[i]);
    }
    return fmt::format_to(out, "]");
  }
};
template <>
struct fmt::formatter<ember::Shape> : fmt::formatter<ember::IntArrayRef> {
  template <class Ctx>
  auto format(const ember::Shape& s, Ctx& ctx) const {
    return fmt::formatter<ember::IntArrayRef>::format(ember::IntArrayRef(s), ctx);
  }
};
