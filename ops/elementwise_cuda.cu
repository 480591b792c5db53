// cuda::elementwise for every functor of ops/functors.h: the dtype dispatch of
// cpu::elementwise (ops/cpu/loops.h) over the generic kernel of cuda/loops.cuh,
// explicitly instantiated here so that ops/ calls it through cuda/kernels.h.
// Compiled only in CUDA builds (cuda/CMakeLists.txt adds ops/*.cu). It lives in
// ops/ because it includes ops/functors.h, which cuda/ may not (DESIGN.md, Layers).
#include <ember/cuda/kernels.h>
#include <ember/cuda/loops.cuh>
#include <ember/ops/functors.h>

namespace ember::cuda {

template <class F>
void elementwise(const char* op, const ElementwiseIter& iter, DType dtype, const F& f) {
  functors::dispatch_functor<F>(op, dtype, [&]<class Out, class... In>() { launch_elementwise<Out, In...>(iter, f); });
}

#define EMBER_INSTANTIATE_ELEMENTWISE(F) \
  template void elementwise<functors::F>(const char*, const ElementwiseIter&, DType, const functors::F&);
EMBER_ELEMENTWISE_FUNCTORS(EMBER_INSTANTIATE_ELEMENTWISE)
#undef EMBER_INSTANTIATE_ELEMENTWISE

}  // namespace ember::cuda
