// 128x128 FP8 block quantisation (fp8_quant.h): one CTA per 128x128 block of W. Pass 1 reads the block
// coalesced (each thread keeps its 64 values in registers) and reduces the amax over the CTA; pass 2 encodes
// into a shared-memory tile laid out as the output operand (W or W^T) and writes it row by row, so the
// transposed output is as coalesced as the plain one.
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
constexpr int kPerThread = kFp8Block * kFp8Block / kThreads;  // 64 elements
constexpr int kCodePad = 4;                                    // bytes: keeps the tile's column walk off one bank
static_assert(kThreads % kFp8Block == 0, "each thread owns one column of the block and every (kThreads/128)-th row");

struct BlockSmem {
  std::uint8_t codes[kFp8Block][kFp8Block + kCodePad];  // [output row][output col] within the block
  float warp_amax[kWarps];
};

__global__ void __launch_bounds__(kThreads) quant_128x128_kernel(const Fp8Quant128x128Params p) {
  __shared__ BlockSmem smem;
  const long r0 = static_cast<long>(blockIdx.y) * kFp8Block;
  const long c0 = static_cast<long>(blockIdx.x) * kFp8Block;
  const int tc = static_cast<int>(threadIdx.x % kFp8Block);
  const int tr0 = static_cast<int>(threadIdx.x / kFp8Block);
  constexpr int kRowStep = kThreads / kFp8Block;
  float v[kPerThread];
  float amax = 0.f;
#pragma unroll
  for (int i = 0; i < kPerThread; ++i) {
    const long r = r0 + tr0 + i * kRowStep, c = c0 + tc;
    v[i] = (r < p.rows && c < p.cols) ? __bfloat162float(p.x[r * p.x_stride + c]) : 0.f;
    amax = fmaxf(amax, fabsf(v[i]));
  }
  amax = fp8_detail::warp_max(amax);
  if (threadIdx.x % 32 == 0) smem.warp_amax[threadIdx.x / 32] = amax;
  __syncthreads();
  float block_amax = 0.f;
  for (int w = 0; w < kWarps; ++w) block_amax = fmaxf(block_amax, smem.warp_amax[w]);
  const float s = fp8_block_scale(block_amax, p.pow2_scale);
#pragma unroll
  for (int i = 0; i < kPerThread; ++i) {
    const int tr = tr0 + i * kRowStep;
    const std::uint8_t code = fp8_detail::encode(v[i], s);
    if (p.transpose_out) smem.codes[tc][tr] = code;
    else smem.codes[tr][tc] = code;
  }
  // Output operand: rows x cols of the block in the output's orientation.
  const long out_r0 = p.transpose_out ? c0 : r0;
  const long out_c0 = p.transpose_out ? r0 : c0;
  const long out_rows = p.transpose_out ? p.cols : p.rows;
  const long out_cols = p.transpose_out ? p.rows : p.cols;
  if (threadIdx.x == 0) {
    const long ld = scale_ld_128x128(out_cols);
    p.scale[(out_r0 / kFp8Block) * ld + out_c0 / kFp8Block] = s;
  }
  __syncthreads();
  for (int i = 0; i < kPerThread; ++i) {
    const int tr = tr0 + i * kRowStep;
    const long r = out_r0 + tr, c = out_c0 + tc;
    if (r < out_rows && c < out_cols) p.q[r * p.q_stride + c] = smem.codes[tr][tc];
  }
}

}  // namespace

void fp8_quant_128x128(const Fp8Quant128x128Params& p, cudaStream_t stream) {
  if (p.x == nullptr || p.q == nullptr || p.scale == nullptr) throw std::invalid_argument("fp8_quant_128x128: null pointer");
  const long out_cols = p.transpose_out ? p.rows : p.cols;
  if (p.rows < 0 || p.cols < 0 || p.x_stride < p.cols || p.q_stride < out_cols)
    throw std::invalid_argument("fp8_quant_128x128: bad shape (need x_stride >= cols, q_stride >= output cols)");
  if (p.rows == 0 || p.cols == 0) return;
  if (ceil_div(p.rows, kFp8Block) > 65535) throw std::invalid_argument("fp8_quant_128x128: rows > 65535*128");
  const dim3 grid(static_cast<unsigned>(ceil_div(p.cols, kFp8Block)), static_cast<unsigned>(ceil_div(p.rows, kFp8Block)));
  quant_128x128_kernel<<<grid, kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
