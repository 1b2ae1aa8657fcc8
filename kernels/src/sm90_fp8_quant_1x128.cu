// 1x128 FP8 quantisation (fp8_quant.h): one warp per (row, 128-column tile); each lane owns 4 consecutive
// columns, the warp reduces the tile's amax with shuffles, lane 0 writes the scale.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

#include "fp8_quant_common.cuh"
#include "kernels/check.h"
#include "kernels/fp8_quant.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr int kPerLane = kFp8Block / 32;
static_assert(kPerLane == 4, "one warp covers one 128-column tile with 4 columns per lane (packed 32-bit store)");

__global__ void __launch_bounds__(kThreads) quant_1x128_kernel(const Fp8Quant1x128Params p) {
  const long tile = static_cast<long>(blockIdx.x) * kWarps + threadIdx.x / 32;
  const long kblocks = ceil_div(p.cols, kFp8Block);
  if (tile >= kblocks * p.rows) return;
  // Consecutive warps take consecutive rows of one column block: their scale stores are contiguous.
  const long kb = tile / p.rows;
  const long r = tile % p.rows;
  const int lane = static_cast<int>(threadIdx.x % 32);
  const long c0 = kb * kFp8Block + lane * kPerLane;
  const __nv_bfloat16* x = p.x + r * p.x_stride;
  float v[kPerLane];
  float amax = 0.f;
#pragma unroll
  for (int i = 0; i < kPerLane; ++i) {
    v[i] = c0 + i < p.cols ? __bfloat162float(x[c0 + i]) : 0.f;
    amax = fmaxf(amax, fabsf(v[i]));
  }
  const float s = fp8_block_scale(fp8_detail::warp_max(amax), p.pow2_scale);
  if (lane == 0) p.scale[kb * p.rows + r] = s;
  std::uint8_t* q = p.q + r * p.q_stride + c0;
  const bool full = c0 + kPerLane <= p.cols && (reinterpret_cast<std::uintptr_t>(q) % 4) == 0;
  if (full) {
    std::uint32_t packed = 0;
#pragma unroll
    for (int i = 0; i < kPerLane; ++i) packed |= static_cast<std::uint32_t>(fp8_detail::encode(v[i], s)) << (8 * i);
    *reinterpret_cast<std::uint32_t*>(q) = packed;
  } else {
    for (int i = 0; i < kPerLane && c0 + i < p.cols; ++i) q[i] = fp8_detail::encode(v[i], s);
  }
}

}  // namespace

void fp8_quant_1x128(const Fp8Quant1x128Params& p, cudaStream_t stream) {
  if (p.x == nullptr || p.q == nullptr || p.scale == nullptr) throw std::invalid_argument("fp8_quant_1x128: null pointer");
  if (p.rows < 0 || p.cols < 0 || p.x_stride < p.cols || p.q_stride < p.cols)
    throw std::invalid_argument("fp8_quant_1x128: bad shape (need strides >= cols >= 0)");
  if (p.rows == 0 || p.cols == 0) return;
  const long tiles = ceil_div(p.cols, kFp8Block) * p.rows;
  quant_1x128_kernel<<<static_cast<unsigned>(ceil_div(tiles, kWarps)), kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
