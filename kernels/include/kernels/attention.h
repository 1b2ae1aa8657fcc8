// MLA attention for training (DeepSeek-V3 shapes): causal flash-style forward and backward on Hopper with
// mma.sync m16n8k16 BF16 tensor-core instructions. BF16 in/out, FP32 accumulation and softmax statistics.
//
// Layouts (all row-major, contiguous, "token-major" as the projection GEMMs produce them):
//   q, k, dq, dk : [batch, seq_len, heads, kMlaQkHeadDim]  (per head: 128 nope | 64 rope)
//   v, o, do, dv : [batch, seq_len, heads, kMlaVHeadDim]
//   lse, delta   : [batch, heads, seq_len] FP32
// Causal: query i attends to keys j <= i of the same sequence (queries and keys share positions).
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace deepsim::kernels {

inline constexpr int kMlaQkNopeDim = 128;                            // d_h (R8)
inline constexpr int kMlaQkRopeDim = 64;                             // d_h^R (R8)
inline constexpr int kMlaQkHeadDim = kMlaQkNopeDim + kMlaQkRopeDim;  // 192
inline constexpr int kMlaVHeadDim = 128;                             // d_v (R8)

struct MlaAttentionFwdParams {
  const __nv_bfloat16* q = nullptr;  // [batch, seq_len, heads, 192], 16-byte aligned
  const __nv_bfloat16* k = nullptr;  // [batch, seq_len, heads, 192], 16-byte aligned
  const __nv_bfloat16* v = nullptr;  // [batch, seq_len, heads, 128], 16-byte aligned
  __nv_bfloat16* o = nullptr;        // [batch, seq_len, heads, 128] output
  float* lse = nullptr;              // [batch, heads, seq_len] output: ln(sum_j exp(softmax_scale * q_i.k_j))
  int batch = 0;                     // sequences
  int seq_len = 0;                   // tokens per sequence (any value >= 1; tiles are ragged at the end)
  int heads = 0;                     // attention heads (128 in DeepSeek-V3)
  float softmax_scale = 0.f;         // multiplies q.k before the softmax; 1/sqrt(192) without YaRN
};

// Writes o and lse. Grid: one CTA per (64-query tile, head, sequence), 4 warps of 16 query rows each.
void mla_attention_forward(const MlaAttentionFwdParams& p, cudaStream_t stream);

struct MlaAttentionBwdParams {
  const __nv_bfloat16* q = nullptr;     // [batch, seq_len, heads, 192] forward input
  const __nv_bfloat16* k = nullptr;     // [batch, seq_len, heads, 192] forward input
  const __nv_bfloat16* v = nullptr;     // [batch, seq_len, heads, 128] forward input
  const __nv_bfloat16* o = nullptr;     // [batch, seq_len, heads, 128] forward output
  const __nv_bfloat16* dout = nullptr;  // [batch, seq_len, heads, 128] dL/do
  const float* lse = nullptr;           // [batch, heads, seq_len] saved by the forward
  float* delta = nullptr;               // [batch, heads, seq_len] workspace: rowsum(dout * o), FP32
  __nv_bfloat16* dq = nullptr;          // [batch, seq_len, heads, 192] output dL/dq
  __nv_bfloat16* dk = nullptr;          // [batch, seq_len, heads, 192] output dL/dk
  __nv_bfloat16* dv = nullptr;          // [batch, seq_len, heads, 128] output dL/dv
  int batch = 0;
  int seq_len = 0;
  int heads = 0;
  float softmax_scale = 0.f;            // the forward's scale
};

// Three launches on `stream`: delta = rowsum(dout * o); dK/dV (one CTA per 64-key tile, P recomputed per
// 64-query tile); dQ (one CTA per 64-query tile, P and dP recomputed per 64-key tile). Deterministic: no
// atomics. Costs 7 tile-GEMMs per (query, key) tile pair instead of FA2's 5 (see docs/kernels.md).
void mla_attention_backward(const MlaAttentionBwdParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels
