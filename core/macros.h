// Portability macros shared by host and device code.
// Nothing here may include a CUDA header: nvcc defines __CUDACC__ for us.
#pragma once

#if defined(__CUDACC__)
#define EMBER_HOST_DEVICE __host__ __device__
#else
#define EMBER_HOST_DEVICE
#endif

#define EMBER_ALWAYS_INLINE inline __attribute__((always_inline))
