// The multi-tensor pass behind every optimizer's step(): for one parameter
// group, one parallel_for over all elements of all its parameters. Each
// optimizer writes its update once, as a loop over a Run (contiguous pointers
// into a parameter, its gradient and its state); this file knows no update math.
#pragma once

#include <ember/core/parallel.h>
#include <ember/optim/optimizer.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ember::optim::detail {

// Note [One pass per group]
// PyTorch's CPU optimizers run several ops per parameter (Adam: mul_, add_,
// mul_, addcmul_, sqrt, div, add_, addcdiv_), each a full sweep over memory,
// with temporaries and one dispatch each. Here a group's step reads every
// parameter, gradient and state element once and writes each once (Adam: 4
// streams in, 3 out), in one parallel_for whose range is the concatenation of
// all the group's parameters, so a group of many small tensors splits across
// threads as evenly as one big tensor. The update math is a template over
// float and double, compiled into plain loops that GCC vectorises. The optim/
// files are built with -fno-math-errno (errno from std::sqrt blocks
// vectorisation) and -ffp-contract=off (CMakeLists.txt): otherwise a loop's
// vector body and scalar tail may fuse different multiply-adds, and since the
// split moves with the thread count, so would the last bit of the result.

// One parameter as the pass sees it. All tensors are contiguous, of the
// parameter's shape and dtype.
template <size_t N>
struct Slot {
  Tensor param;  // the parameter, or a contiguous copy of it that finish() writes back
  Tensor grad;
  std::array<Tensor, N> state;  // undefined where this step does not use a buffer
  Tensor original;              // the non-contiguous parameter that `param` copies; undefined otherwise
};

// A contiguous stretch of one slot, as typed pointers.
template <class T, size_t N>
struct Run {
  T* param;
  const T* grad;
  std::array<T*, N> state;  // null where the slot's state tensor is undefined
  int64_t size;
  size_t slot;  // which parameter, for per-parameter scalars (Adam's bias corrections)
};

// Note [No null pointer in an update loop]
// A Run's state pointer is null where the step keeps no such buffer (SGD
// without momentum). Tested inside the loop (`if (buf) buf[i] = ...`), GCC
// if-converts the test into AVX-512 masked loads and stores through the null
// pointer: masked-off lanes on an unmapped page do not fault, but each one
// costs a microcode assist, and plain SGD stepped 5-7x slower than SGD with
// momentum (issue 12 measured 90x PyTorch's time). So a loop never
// tests a pointer: with_buffer() picks, once per run, a loop compiled with the
// buffer or one compiled without it.

// Calls body(std::true_type{}) when buffer is not null, else body(std::false_type{});
// the body's loop tests `if constexpr (decltype(has)::value)`.
template <class T, class Body>
void with_buffer(const T* buffer, const Body& body) {
  if (buffer) body(std::true_type{});
  else body(std::false_type{});
}

// A parameter and its gradient ready for the pass, or nullopt when it has no
// gradient (skipped, as in PyTorch). Throws for CUDA and non-float32/64 parameters.
struct Prepared {
  Tensor param, grad, original;
};
std::optional<Prepared> prepare(std::string_view optimizer, const Tensor& param);

// state.buffers[index], created filled with `fill` (contiguous, the parameter's
// shape and dtype) when missing.
Tensor& buffer(ParamState& state, size_t index, const Tensor& param, double fill = 0.0);

// A group with fewer elements than this steps on the calling thread.
inline constexpr int64_t kParallelGrain = 32768;

template <class T, size_t N>
Run<T, N> make_run(const Slot<N>& slot, size_t index, int64_t offset, int64_t size) {
  Run<T, N> run{slot.param.template data_ptr<T>() + offset, slot.grad.template data_ptr<T>() + offset, {}, size, index};
  for (size_t k = 0; k < N; ++k) {
    if (slot.state[k].defined()) run.state[k] = slot.state[k].template data_ptr<T>() + offset;
  }
  return run;
}

// Calls kernel(Run<T, N>) over runs that together cover every element of every
// slot once, in parallel. See Note [One pass per group].
template <size_t N, class Kernel>
void for_each_run(const std::vector<Slot<N>>& slots, const Kernel& kernel) {
  std::vector<int64_t> ends(slots.size());  // where each slot ends in the concatenation
  int64_t total = 0;
  for (size_t s = 0; s < slots.size(); ++s) ends[s] = total += slots[s].param.numel();
  parallel_for(0, total, kParallelGrain, [&](int64_t begin, int64_t end) {
    size_t s = static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), begin) - ends.begin());
    for (int64_t at = begin; at < end; ++s) {
      const int64_t start = ends[s] - slots[s].param.numel(), size = std::min(end, ends[s]) - at;
      if (size == 0) continue;
      if (slots[s].param.dtype() == kFloat32)
        kernel(make_run<float>(slots[s], s, at - start, size));
      else
        kernel(make_run<double>(slots[s], s, at - start, size));
      at += size;
    }
  });
}

// After the pass: copies non-contiguous parameters back and bumps every
// parameter's version, as an in-place op would (saved-tensor checks see the update).
template <size_t N>
void finish(const std::vector<Slot<N>>& slots) {
  for (const Slot<N>& slot : slots) {
    if (slot.original.defined()) {
      Tensor original = slot.original;  // a handle: copy_ writes into the parameter's storage
      original.copy_(slot.param);
    } else {
      slot.param.bump_version();
    }
  }
}

}  // namespace ember::optim::detail
