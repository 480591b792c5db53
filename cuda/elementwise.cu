// Conversion and fill on the GPU: cast() between any two dtypes and fill() with
// one value, over an ElementwiseIter, through the generic kernel of cuda/loops.cuh.
// The conversions are those of the CPU copy in ops/copy.cpp (through opmath).
#include <ember/cuda/kernels.h>
#include <ember/cuda/loops.cuh>

#include <type_traits>

namespace ember::cuda {
namespace {

template <class Out, class In>
struct Cast {
  __host__ __device__ opmath_t<Out> operator()(opmath_t<In> v) const {
    if constexpr (std::is_same_v<Out, bool>) return v != opmath_t<In>(0);
    else return static_cast<opmath_t<Out>>(v);
  }
};

template <class T>
struct Fill {
  T value;
  __host__ __device__ opmath_t<T> operator()() const { return static_cast<opmath_t<T>>(value); }
};

}  // namespace

void cast(const ElementwiseIter& iter, DType out_dtype, DType in_dtype) {
  dispatch_dtype("copy_", out_dtype, [&]<class Out>() {
    dispatch_dtype("copy_", in_dtype, [&]<class In>() { launch_elementwise<Out, In>(iter, Cast<Out, In>{}); });
  });
}

void fill(const ElementwiseIter& iter, DType dtype, double value) {
  dispatch_dtype("fill_", dtype, [&]<class T>() {
    T v;
    if constexpr (std::is_same_v<T, bool>) v = value != 0;
    else v = static_cast<T>(static_cast<opmath_t<T>>(value));
    launch_elementwise<T>(iter, Fill<T>{v});
  });
}

}  // namespace ember::cuda
