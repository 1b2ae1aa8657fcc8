// Device helpers shared by the FP8 quantisation kernels (fp8_quant.h): warp amax and the E4M3 encode that
// matches the CPU reference bit for bit (IEEE division, then CUDA's RNE + SATFINITE conversion).
#pragma once

#include <cuda_fp8.h>

#include <cstdint>

#include "kernels/fp8_quant.h"

namespace deepsim::kernels::fp8_detail {

inline constexpr unsigned kFullMask = 0xffffffffu;

__device__ __forceinline__ float warp_max(float v) {
  for (int off = 16; off > 0; off /= 2) v = fmaxf(v, __shfl_xor_sync(kFullMask, v, off));
  return v;
}

// __fdiv_rn keeps the division correctly rounded whatever the compile flags (the CPU reference divides too).
__device__ __forceinline__ std::uint8_t encode(float x, float scale) {
  return static_cast<std::uint8_t>(__nv_cvt_float_to_fp8(__fdiv_rn(x, scale), __NV_SATFINITE, __NV_E4M3));
}

}  // namespace deepsim::kernels::fp8_detail
