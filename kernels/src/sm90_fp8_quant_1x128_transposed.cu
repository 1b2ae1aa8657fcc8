// Transposed 1x128 FP8 quantisation (fp8_quant.h): quantises X^T in 1x128 tiles along X's rows (tokens), the
// layout Wgrad's operands need. One CTA per (128 rows, 32 columns) of X: a coalesced load of the tile into
// shared memory, then each warp takes 4 columns, reduces each column's amax over the 128 rows and writes the
// column's 128 codes as one contiguous 128-byte row of X^T.
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
constexpr int kTileCols = 32;                     // columns of X per CTA
constexpr int kColsPerWarp = kTileCols / kWarps;  // 4
constexpr int kRowsPerLane = kFp8Block / 32;      // 4 consecutive rows of X -> 4 consecutive bytes of X^T
static_assert(kTileCols % kWarps == 0, "warps split the tile's columns evenly");
static_assert(kRowsPerLane == 4, "each lane packs 4 codes into one 32-bit store");

struct TransposeSmem {
  float x[kFp8Block][kTileCols + 1];  // +1 column: a column walk does not hit one bank 128 times
};

__global__ void __launch_bounds__(kThreads) quant_1x128_transposed_kernel(const Fp8Quant1x128TransposedParams p) {
  __shared__ TransposeSmem smem;
  const long r0 = static_cast<long>(blockIdx.y) * kFp8Block;
  const long c0 = static_cast<long>(blockIdx.x) * kTileCols;
  const int tc = static_cast<int>(threadIdx.x % kTileCols);
  for (int tr = static_cast<int>(threadIdx.x / kTileCols); tr < kFp8Block; tr += kThreads / kTileCols) {
    const long r = r0 + tr, c = c0 + tc;
    smem.x[tr][tc] = (r < p.rows && c < p.cols) ? __bfloat162float(p.x[r * p.x_stride + c]) : 0.f;
  }
  __syncthreads();
  const int warp = static_cast<int>(threadIdx.x / 32);
  const int lane = static_cast<int>(threadIdx.x % 32);
  for (int j = 0; j < kColsPerWarp; ++j) {
    const int col = warp * kColsPerWarp + j;
    const long c = c0 + col;
    if (c >= p.cols) break;  // warp-uniform
    float v[kRowsPerLane];
    float amax = 0.f;
#pragma unroll
    for (int i = 0; i < kRowsPerLane; ++i) {
      v[i] = smem.x[lane * kRowsPerLane + i][col];
      amax = fmaxf(amax, fabsf(v[i]));
    }
    const float s = fp8_block_scale(fp8_detail::warp_max(amax), p.pow2_scale);
    if (lane == 0) p.scale[static_cast<long>(blockIdx.y) * p.cols + c] = s;
    const long r = r0 + lane * kRowsPerLane;
    std::uint8_t* q = p.q + c * p.q_stride + r;
    if (r + kRowsPerLane <= p.rows && (reinterpret_cast<std::uintptr_t>(q) % 4) == 0) {
      std::uint32_t packed = 0;
#pragma unroll
      for (int i = 0; i < kRowsPerLane; ++i) packed |= static_cast<std::uint32_t>(fp8_detail::encode(v[i], s)) << (8 * i);
      *reinterpret_cast<std::uint32_t*>(q) = packed;
    } else {
      for (int i = 0; i < kRowsPerLane && r + i < p.rows; ++i) q[i] = fp8_detail::encode(v[i], s);
    }
  }
}

}  // namespace

void fp8_quant_1x128_transposed(const Fp8Quant1x128TransposedParams& p, cudaStream_t stream) {
  if (p.x == nullptr || p.q == nullptr || p.scale == nullptr)
    throw std::invalid_argument("fp8_quant_1x128_transposed: null pointer");
  if (p.rows < 0 || p.cols < 0 || p.x_stride < p.cols || p.q_stride < p.rows)
    throw std::invalid_argument("fp8_quant_1x128_transposed: bad shape (need x_stride >= cols, q_stride >= rows)");
  if (p.rows == 0 || p.cols == 0) return;
  if (ceil_div(p.rows, kFp8Block) > 65535) throw std::invalid_argument("fp8_quant_1x128_transposed: rows > 65535*128");
  const dim3 grid(static_cast<unsigned>(ceil_div(p.cols, kTileCols)), static_cast<unsigned>(ceil_div(p.rows, kFp8Block)));
  quant_1x128_transposed_kernel<<<grid, kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
