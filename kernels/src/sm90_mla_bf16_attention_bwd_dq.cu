// Attention backward, step 3: dQ. One CTA per (64-query tile, head, sequence); each warp owns 16 queries and
// keeps their dQ (16x192) in FP32 registers while it walks the key tiles j <= the query tile (causal):
//   S = Q K^T, P = exp2(scale*log2e*S - lse*log2e) (0 above the diagonal), dP = dO V^T,
//   dS = P * (dP - delta), dQ += dS K
// then writes dQ * scale. Recomputing S and dP here (instead of FA2's atomic dQ accumulation inside the
// dK/dV kernel) keeps the backward deterministic at the price of two extra tile-GEMMs per tile pair.
#include <cuda_runtime.h>

#include "kernels/attention.h"
#include "kernels/check.h"
#include "sm90_mla_bf16_attention_bwd_launch.h"
#include "sm90_mla_bf16_mma.cuh"

namespace deepsim::kernels::mla_detail {
namespace {

constexpr int kSTiles = kBlockN / 8;           // 8 n-tiles of S / dP per warp
constexpr int kDqTiles = kMlaQkHeadDim / 8;    // 24
static_assert(kBlockM == kBlockN, "diagonal tile index equals the query tile index");

struct alignas(128) BwdQSmem {
  bf16 q[kBlockM * kLdQk];     // this CTA's query tile [64][192 + pad]
  bf16 dout[kBlockM * kLdV];   // its dO tile [64][128 + pad]
  bf16 k[kBlockN * kLdQk];     // current key tile
  bf16 v[kBlockN * kLdV];      // current value tile
};

__global__ void __launch_bounds__(kThreads, 1) mla_attention_bwd_dq_kernel(const MlaAttentionBwdParams p) {
  extern __shared__ __align__(128) unsigned char smem_raw[];
  BwdQSmem& sm = *reinterpret_cast<BwdQSmem*>(smem_raw);

  const int q_tile = static_cast<int>(gridDim.x - 1 - blockIdx.x);  // heaviest first
  const int head = static_cast<int>(blockIdx.y);
  const int seq = static_cast<int>(blockIdx.z);
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int q0 = q_tile * kBlockM;

  const long qk_stride = static_cast<long>(p.heads) * kMlaQkHeadDim;
  const long v_stride = static_cast<long>(p.heads) * kMlaVHeadDim;
  const long seq_base = static_cast<long>(seq) * p.seq_len;
  const long qk_base = seq_base * qk_stride + head * kMlaQkHeadDim;
  const long v_base = seq_base * v_stride + head * kMlaVHeadDim;
  const long stat_base = (static_cast<long>(seq) * p.heads + head) * p.seq_len;

  load_tile_async<kBlockM, kMlaQkHeadDim, kLdQk>(sm.q, p.q + qk_base + q0 * qk_stride, qk_stride, p.seq_len - q0);
  load_tile_async<kBlockM, kMlaVHeadDim, kLdV>(sm.dout, p.dout + v_base + q0 * v_stride, v_stride, p.seq_len - q0);
  cp_async_commit();

  const float scale_log2 = p.softmax_scale * kLog2e;
  const int rows[2] = {q0 + warp * kWarpRows + lane / 4, q0 + warp * kWarpRows + lane / 4 + 8};
  float lse_log2[2];
  float delta[2];
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const bool valid = rows[r] < p.seq_len;
    lse_log2[r] = valid ? p.lse[stat_base + rows[r]] * kLog2e : INFINITY;  // padded rows: P = 0
    delta[r] = valid ? p.delta[stat_base + rows[r]] : 0.f;
  }
  float dq[kDqTiles][4] = {};

  for (int k_tile = 0; k_tile <= q_tile; ++k_tile) {
    const int k0 = k_tile * kBlockN;
    __syncthreads();  // all warps are done with the previous K/V tile
    load_tile_async<kBlockN, kMlaQkHeadDim, kLdQk>(sm.k, p.k + qk_base + k0 * qk_stride, qk_stride, p.seq_len - k0);
    load_tile_async<kBlockN, kMlaVHeadDim, kLdV>(sm.v, p.v + v_base + k0 * v_stride, v_stride, p.seq_len - k0);
    cp_async_commit();
    cp_async_wait<0>();
    __syncthreads();

    float s[kSTiles][4] = {};   // S, then P, then dS
    float dp[kSTiles][4] = {};  // dP
    gemm_a_smem_b_nk<kSTiles, kMlaQkHeadDim / 16>(s, sm.q, kLdQk, warp * kWarpRows, sm.k, kLdQk, 0, lane);
    gemm_a_smem_b_nk<kSTiles, kMlaVHeadDim / 16>(dp, sm.dout, kLdV, warp * kWarpRows, sm.v, kLdV, 0, lane);

    const bool diagonal = k_tile == q_tile;
#pragma unroll
    for (int nt = 0; nt < kSTiles; ++nt) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int key = k0 + nt * 8 + 2 * (lane % 4) + (e & 1);
        const bool masked = diagonal && key > rows[e / 2];
        const float prob = masked ? 0.f : exp2f(s[nt][e] * scale_log2 - lse_log2[e / 2]);
        s[nt][e] = prob * (dp[nt][e] - delta[e / 2]);
      }
    }
#pragma unroll
    for (int kk = 0; kk < kBlockN / 16; ++kk) {
      uint32_t a[4];
      pack_a_from_acc(a, s, kk);
      gemm_a_reg_b_kn(dq, a, sm.k, kLdQk, kk * 16, lane);
    }
  }

#pragma unroll
  for (int r = 0; r < 2; ++r) {
    if (rows[r] < p.seq_len) store_acc_row(p.dq + qk_base + rows[r] * qk_stride, dq, r, p.softmax_scale, lane);
  }
}

}  // namespace

void launch_attention_bwd_dq(const MlaAttentionBwdParams& p, cudaStream_t stream) {
  constexpr int kSmemBytes = sizeof(BwdQSmem);
  DEEPSIM_CUDA_CHECK(
      cudaFuncSetAttribute(mla_attention_bwd_dq_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kSmemBytes));
  const dim3 grid(ceil_div(p.seq_len, kBlockM), p.heads, p.batch);
  mla_attention_bwd_dq_kernel<<<grid, kThreads, kSmemBytes, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels::mla_detail
