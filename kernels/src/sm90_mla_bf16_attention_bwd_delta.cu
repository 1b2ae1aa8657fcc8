// Attention backward, step 1: delta_i = sum_d dO_id * O_id per (sequence, head, query) row, FP32.
// dS = P * (dP - delta) then needs no second pass over the keys (FlashAttention-2, Algorithm 2 line 4).
// One warp per (token, head) row of 128 values; 4 consecutive bf16 per lane.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "kernels/attention.h"
#include "kernels/check.h"
#include "sm90_mla_bf16_attention_bwd_launch.h"
#include "sm90_mla_bf16_mma.cuh"

namespace deepsim::kernels::mla_detail {
namespace {

constexpr int kValuesPerLane = kMlaVHeadDim / 32;
static_assert(kValuesPerLane == 4, "one 8-byte load of 4 bf16 per lane covers a 128-value row");
constexpr int kRowsPerBlock = kWarps;

__global__ void __launch_bounds__(kThreads) mla_attention_bwd_delta_kernel(const MlaAttentionBwdParams p) {
  const long row = static_cast<long>(blockIdx.x) * kRowsPerBlock + threadIdx.x / 32;  // ((b*S + i)*H + h)
  const long rows = static_cast<long>(p.batch) * p.seq_len * p.heads;
  if (row >= rows) return;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const __nv_bfloat162* o = reinterpret_cast<const __nv_bfloat162*>(p.o + row * kMlaVHeadDim) + lane * 2;
  const __nv_bfloat162* d = reinterpret_cast<const __nv_bfloat162*>(p.dout + row * kMlaVHeadDim) + lane * 2;
  float acc = 0.f;
#pragma unroll
  for (int i = 0; i < kValuesPerLane / 2; ++i) {
    const float2 of = __bfloat1622float2(o[i]);
    const float2 df = __bfloat1622float2(d[i]);
    acc += of.x * df.x + of.y * df.y;
  }
#pragma unroll
  for (int off = 16; off > 0; off /= 2) acc += __shfl_xor_sync(0xffffffffu, acc, off);
  if (lane == 0) {
    const long head = row % p.heads;
    const long token = row / p.heads;  // b*S + i
    const long b = token / p.seq_len;
    const long i = token % p.seq_len;
    p.delta[(b * p.heads + head) * p.seq_len + i] = acc;
  }
}

}  // namespace

void launch_attention_bwd_delta(const MlaAttentionBwdParams& p, cudaStream_t stream) {
  const long rows = static_cast<long>(p.batch) * p.seq_len * p.heads;
  const auto blocks = static_cast<unsigned>((rows + kRowsPerBlock - 1) / kRowsPerBlock);
  mla_attention_bwd_delta_kernel<<<blocks, kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels::mla_detail
