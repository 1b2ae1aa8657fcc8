// Attention backward, step 2: dK and dV. One CTA per (64-key tile, head, sequence); each warp owns 16 keys
// and keeps their dK (16x192) and dV (16x128) in FP32 registers while it walks the query tiles i >= the key
// tile (causal). Per 32-query half-tile it recomputes, transposed so keys are the mma M dimension:
//   S^T = K Q^T,  P^T = exp2(scale*log2e*S^T - lse*log2e)  (0 above the diagonal and for padded queries)
//   dP^T = V dO^T, dS^T = P^T * (dP^T - delta)
//   dV += P^T dO,  dK += dS^T Q   (left operands straight from the accumulators, rounded to bf16)
// and finally writes dK * scale and dV. The half-tile keeps S^T and dP^T at 16 registers each next to the
// 160 accumulator registers.
#include <cuda_runtime.h>

#include "kernels/attention.h"
#include "kernels/check.h"
#include "sm90_mla_bf16_attention_bwd_launch.h"
#include "sm90_mla_bf16_mma.cuh"

namespace deepsim::kernels::mla_detail {
namespace {

constexpr int kQueryChunk = 32;                   // queries per inner step
constexpr int kChunkTiles = kQueryChunk / 8;      // n-tiles of S^T per chunk
constexpr int kDkTiles = kMlaQkHeadDim / 8;       // 24
constexpr int kDvTiles = kMlaVHeadDim / 8;        // 16
static_assert(kBlockM % kQueryChunk == 0, "query tile must split into whole chunks");
static_assert(kQueryChunk % 16 == 0, "a chunk must be whole mma k-steps for dV/dK");
static_assert(kBlockM == kBlockN, "diagonal tile index equals the key tile index");

struct alignas(128) BwdKvSmem {
  bf16 k[kBlockN * kLdQk];     // this CTA's key tile [64][192 + pad]
  bf16 v[kBlockN * kLdV];      // value tile [64][128 + pad]
  bf16 q[kBlockM * kLdQk];     // current query tile
  bf16 dout[kBlockM * kLdV];   // current dO tile
  float lse_log2[kBlockM];     // lse * log2e; +inf for padded queries (P = 0)
  float delta[kBlockM];        // rowsum(dO * O); 0 for padded queries
};

__global__ void __launch_bounds__(kThreads, 1) mla_attention_bwd_dkdv_kernel(const MlaAttentionBwdParams p) {
  extern __shared__ __align__(128) unsigned char smem_raw[];
  BwdKvSmem& sm = *reinterpret_cast<BwdKvSmem*>(smem_raw);

  const int k_tile = static_cast<int>(blockIdx.x);  // low tiles see the most queries: launched first
  const int head = static_cast<int>(blockIdx.y);
  const int seq = static_cast<int>(blockIdx.z);
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int k0 = k_tile * kBlockN;

  const long qk_stride = static_cast<long>(p.heads) * kMlaQkHeadDim;
  const long v_stride = static_cast<long>(p.heads) * kMlaVHeadDim;
  const long seq_base = static_cast<long>(seq) * p.seq_len;
  const long qk_base = seq_base * qk_stride + head * kMlaQkHeadDim;
  const long v_base = seq_base * v_stride + head * kMlaVHeadDim;
  const long stat_base = (static_cast<long>(seq) * p.heads + head) * p.seq_len;

  load_tile_async<kBlockN, kMlaQkHeadDim, kLdQk>(sm.k, p.k + qk_base + k0 * qk_stride, qk_stride, p.seq_len - k0);
  load_tile_async<kBlockN, kMlaVHeadDim, kLdV>(sm.v, p.v + v_base + k0 * v_stride, v_stride, p.seq_len - k0);
  cp_async_commit();

  const float scale_log2 = p.softmax_scale * kLog2e;
  const int keys[2] = {k0 + warp * kWarpRows + lane / 4, k0 + warp * kWarpRows + lane / 4 + 8};
  float dk[kDkTiles][4] = {};
  float dv[kDvTiles][4] = {};

  const int q_tiles = ceil_div(p.seq_len, kBlockM);
  for (int q_tile = k_tile; q_tile < q_tiles; ++q_tile) {
    const int q0 = q_tile * kBlockM;
    __syncthreads();  // all warps are done with the previous query tile
    load_tile_async<kBlockM, kMlaQkHeadDim, kLdQk>(sm.q, p.q + qk_base + q0 * qk_stride, qk_stride, p.seq_len - q0);
    load_tile_async<kBlockM, kMlaVHeadDim, kLdV>(sm.dout, p.dout + v_base + q0 * v_stride, v_stride, p.seq_len - q0);
    cp_async_commit();
    for (int i = static_cast<int>(threadIdx.x); i < kBlockM; i += kThreads) {
      const bool valid = q0 + i < p.seq_len;
      sm.lse_log2[i] = valid ? p.lse[stat_base + q0 + i] * kLog2e : INFINITY;
      sm.delta[i] = valid ? p.delta[stat_base + q0 + i] : 0.f;
    }
    cp_async_wait<0>();
    __syncthreads();

    const bool diagonal = q_tile == k_tile;
#pragma unroll 1
    for (int c0 = 0; c0 < kBlockM; c0 += kQueryChunk) {
      float st[kChunkTiles][4] = {};   // S^T, then P^T
      float dpt[kChunkTiles][4] = {};  // dP^T, then dS^T
      gemm_a_smem_b_nk<kChunkTiles, kMlaQkHeadDim / 16>(st, sm.k, kLdQk, warp * kWarpRows, sm.q, kLdQk, c0, lane);
      gemm_a_smem_b_nk<kChunkTiles, kMlaVHeadDim / 16>(dpt, sm.v, kLdV, warp * kWarpRows, sm.dout, kLdV, c0, lane);
#pragma unroll
      for (int nt = 0; nt < kChunkTiles; ++nt) {
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int col = c0 + nt * 8 + 2 * (lane % 4) + (e & 1);  // query within the tile
          const bool masked = diagonal && keys[e / 2] > q0 + col;
          const float pt = masked ? 0.f : exp2f(st[nt][e] * scale_log2 - sm.lse_log2[col]);
          st[nt][e] = pt;
          dpt[nt][e] = pt * (dpt[nt][e] - sm.delta[col]);
        }
      }
#pragma unroll
      for (int kk = 0; kk < kQueryChunk / 16; ++kk) {
        uint32_t a[4];
        pack_a_from_acc(a, st, kk);
        gemm_a_reg_b_kn(dv, a, sm.dout, kLdV, c0 + kk * 16, lane);
        pack_a_from_acc(a, dpt, kk);
        gemm_a_reg_b_kn(dk, a, sm.q, kLdQk, c0 + kk * 16, lane);
      }
    }
  }

#pragma unroll
  for (int r = 0; r < 2; ++r) {
    if (keys[r] >= p.seq_len) continue;
    store_acc_row(p.dk + qk_base + keys[r] * qk_stride, dk, r, p.softmax_scale, lane);
    store_acc_row(p.dv + v_base + keys[r] * v_stride, dv, r, 1.f, lane);
  }
}

}  // namespace

void launch_attention_bwd_dkdv(const MlaAttentionBwdParams& p, cudaStream_t stream) {
  constexpr int kSmemBytes = sizeof(BwdKvSmem);
  DEEPSIM_CUDA_CHECK(cudaFuncSetAttribute(mla_attention_bwd_dkdv_kernel,
                                          cudaFuncAttributeMaxDynamicSharedMemorySize, kSmemBytes));
  const dim3 grid(ceil_div(p.seq_len, kBlockN), p.heads, p.batch);
  mla_attention_bwd_dkdv_kernel<<<grid, kThreads, kSmemBytes, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels::mla_detail
