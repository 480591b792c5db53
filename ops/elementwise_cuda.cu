// cuda::elementwise for every functor of ops/functors.h: the dtype dispatch of
// cpu::elementwise (ops/cpu/loops.h) over the generic kernel of cuda/loops.cuh,
// explicitly instantiated here so that ops/ calls it through cuda/kernels.h.
// Compiled only in CUDA builds (cuda/CMakeLists.txt adds ops/*.cu).
#include <ember/cuda/kernels.h>
#include <ember/cuda/loops.cuh>
#include <ember/ops/functors.h>

namespace ember::cuda {

template <class F>
void elementwise(const char* op, const ElementwiseIter& iter, DType dtype, const F& f) {
  dispatch_dtype<F::dtypes>(op, dtype, [&]<class T>() {
    [&]<size_t... I>(std::index_sequence<I...>) {
      launch_elementwise<functors::functor_output_t<F, T>, functors::functor_input_t<F, T, I>...>(iter, f);
    }(std::make_index_sequence<F::arity>{});
  });
}

#define EMBER_INSTANTIATE_ELEMENTWISE(F) \
  template void elementwise<functors::F>(const char*, const ElementwiseIter&, DType, const functors::F&);
EMBER_ELEMENTWISE_FUNCTORS(EMBER_INSTANTIATE_ELEMENTWISE)
#undef EMBER_INSTANTIATE_ELEMENTWISE

}  // namespace ember::cuda
