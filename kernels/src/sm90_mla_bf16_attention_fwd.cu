// Causal MLA attention forward (FlashAttention-2 algorithm, mma.sync m16n8k16 BF16, FP32 accumulate).
//
// One CTA per (64-query tile, head, sequence); each of the 4 warps owns 16 query rows. For each 64-key tile
// j <= the diagonal: S = Q K^T (16x64 per warp, K-dim 192), causal mask on the diagonal tile, online softmax
// in base 2 (m = running max of scale*log2e*S, l = running sum), O = O*alpha + P V (P rounded to bf16 straight
// from the S accumulators). At the end O /= l and lse = ln(sum exp(scale*S)) = (m + log2 l) * ln 2.
// The S x S matrix never exists: per warp only a 16x64 tile of S lives in registers.
#include <cuda_runtime.h>

#include <stdexcept>

#include "kernels/attention.h"
#include "kernels/check.h"
#include "sm90_mla_bf16_mma.cuh"

namespace deepsim::kernels {
namespace {

using namespace mla_detail;

struct alignas(128) FwdSmem {
  bf16 q[kBlockM * kLdQk];  // query tile [64][192 + pad]
  bf16 k[kBlockN * kLdQk];  // key tile [64][192 + pad]
  bf16 v[kBlockN * kLdV];   // value tile [64][128 + pad]
};

constexpr int kSTiles = kBlockN / 8;       // n-tiles of S per warp (64 keys)
constexpr int kOTiles = kMlaVHeadDim / 8;  // n-tiles of O per warp (128 values)
static_assert(kBlockM == kBlockN, "the causal tile walk assumes square tiles (diagonal tile == query tile index)");

__global__ void __launch_bounds__(kThreads) mla_attention_fwd_kernel(const MlaAttentionFwdParams p) {
  extern __shared__ __align__(128) unsigned char smem_raw[];
  FwdSmem& sm = *reinterpret_cast<FwdSmem*>(smem_raw);

  // Heaviest tiles (most keys under the causal mask) first.
  const int q_tile = static_cast<int>(gridDim.x - 1 - blockIdx.x);
  const int head = static_cast<int>(blockIdx.y);
  const int seq = static_cast<int>(blockIdx.z);
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int q0 = q_tile * kBlockM;

  const long qk_stride = static_cast<long>(p.heads) * kMlaQkHeadDim;  // elements between tokens
  const long v_stride = static_cast<long>(p.heads) * kMlaVHeadDim;
  const long seq_base = static_cast<long>(seq) * p.seq_len;
  const bf16* q = p.q + seq_base * qk_stride + head * kMlaQkHeadDim;
  const bf16* k = p.k + seq_base * qk_stride + head * kMlaQkHeadDim;
  const bf16* v = p.v + seq_base * v_stride + head * kMlaVHeadDim;

  load_tile_async<kBlockM, kMlaQkHeadDim, kLdQk>(sm.q, q + q0 * qk_stride, qk_stride, p.seq_len - q0);
  cp_async_commit();

  const float scale_log2 = p.softmax_scale * kLog2e;
  const int rows[2] = {q0 + warp * kWarpRows + lane / 4, q0 + warp * kWarpRows + lane / 4 + 8};
  float o_acc[kOTiles][4] = {};
  float row_max[2] = {-INFINITY, -INFINITY};
  float row_sum[2] = {0.f, 0.f};  // this thread's partial sums; reduced over the quad at the end

  for (int k_tile = 0; k_tile <= q_tile; ++k_tile) {
    const int k0 = k_tile * kBlockN;
    __syncthreads();  // every warp is done with the previous K/V tile
    load_tile_async<kBlockN, kMlaQkHeadDim, kLdQk>(sm.k, k + k0 * qk_stride, qk_stride, p.seq_len - k0);
    cp_async_commit();
    load_tile_async<kBlockN, kMlaVHeadDim, kLdV>(sm.v, v + k0 * v_stride, v_stride, p.seq_len - k0);
    cp_async_commit();
    cp_async_wait<1>();  // Q and K have landed; V may still be in flight while S is computed
    __syncthreads();

    float s[kSTiles][4] = {};
    gemm_a_smem_b_nk<kSTiles, kMlaQkHeadDim / 16>(s, sm.q, kLdQk, warp * kWarpRows, sm.k, kLdQk, 0, lane);

    const bool diagonal = k_tile == q_tile;
#pragma unroll
    for (int nt = 0; nt < kSTiles; ++nt) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int key = k0 + nt * 8 + 2 * (lane % 4) + (e & 1);
        s[nt][e] = (diagonal && key > rows[e / 2]) ? -INFINITY : s[nt][e] * scale_log2;
      }
    }
    // Online softmax. Key 0 is visible to every row, so row_max is finite after the first tile.
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float tile_max = -INFINITY;
#pragma unroll
      for (int nt = 0; nt < kSTiles; ++nt) tile_max = fmaxf(tile_max, fmaxf(s[nt][2 * r], s[nt][2 * r + 1]));
      const float new_max = fmaxf(row_max[r], quad_max(tile_max));
      const float alpha = exp2f(row_max[r] - new_max);
      row_max[r] = new_max;
      row_sum[r] *= alpha;
#pragma unroll
      for (int nt = 0; nt < kOTiles; ++nt) {
        o_acc[nt][2 * r] *= alpha;
        o_acc[nt][2 * r + 1] *= alpha;
      }
#pragma unroll
      for (int nt = 0; nt < kSTiles; ++nt) {
        s[nt][2 * r] = exp2f(s[nt][2 * r] - new_max);
        s[nt][2 * r + 1] = exp2f(s[nt][2 * r + 1] - new_max);
        row_sum[r] += s[nt][2 * r] + s[nt][2 * r + 1];
      }
    }

    cp_async_wait<0>();
    __syncthreads();  // V visible to all warps
#pragma unroll
    for (int kk = 0; kk < kBlockN / 16; ++kk) {
      uint32_t a[4];
      pack_a_from_acc(a, s, kk);
      gemm_a_reg_b_kn(o_acc, a, sm.v, kLdV, kk * 16, lane);
    }
  }

  bf16* o = p.o + seq_base * v_stride + head * kMlaVHeadDim;
  float* lse = p.lse + (static_cast<long>(seq) * p.heads + head) * p.seq_len;
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const float total = quad_sum(row_sum[r]);
    if (rows[r] >= p.seq_len) continue;
    store_acc_row(o + rows[r] * v_stride, o_acc, r, 1.f / total, lane);
    if (lane % 4 == 0) lse[rows[r]] = (row_max[r] + log2f(total)) * kLn2;
  }
}

void validate(const MlaAttentionFwdParams& p) {
  if (p.q == nullptr || p.k == nullptr || p.v == nullptr || p.o == nullptr || p.lse == nullptr)
    throw std::invalid_argument("mla_attention_forward: null tensor pointer");
  if (p.batch <= 0 || p.seq_len <= 0 || p.heads <= 0)
    throw std::invalid_argument("mla_attention_forward: batch, seq_len and heads must be positive");
  if (p.batch > 65535 || p.heads > 65535) throw std::invalid_argument("mla_attention_forward: grid y/z limit 65535");
  const auto misaligned = [](const void* ptr) { return (reinterpret_cast<uintptr_t>(ptr) % 16) != 0; };
  if (misaligned(p.q) || misaligned(p.k) || misaligned(p.v) || misaligned(p.o))
    throw std::invalid_argument("mla_attention_forward: q, k, v, o must be 16-byte aligned (cp.async)");
}

}  // namespace

void mla_attention_forward(const MlaAttentionFwdParams& p, cudaStream_t stream) {
  validate(p);
  constexpr int kSmemBytes = sizeof(FwdSmem);
  DEEPSIM_CUDA_CHECK(
      cudaFuncSetAttribute(mla_attention_fwd_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kSmemBytes));
  const dim3 grid(ceil_div(p.seq_len, kBlockM), p.heads, p.batch);
  mla_attention_fwd_kernel<<<grid, kThreads, kSmemBytes, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
