// MoE token permutation into expert-contiguous order and the gate-weighted inverse (combine).
// Order: stable by expert, then token index: the rows of expert e are x_perm[offsets[e] .. offsets[e+1]),
// sorted by token. Experts with no tokens get an empty range.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace deepsim::kernels {

inline constexpr int kMoePermuteChunkTokens = 32;  // tokens per counting chunk (one warp)
inline constexpr int kMoePermuteMaxExperts = 1024;  // one scan thread per expert
inline constexpr int kMoePermuteMaxTopK = 32;

struct MoePermuteParams {
  const int32_t* topk_idx = nullptr;     // [num_tokens, top_k] expert of each (token, slot), distinct per token
  const __nv_bfloat16* x = nullptr;      // [num_tokens, hidden] BF16 activations
  __nv_bfloat16* x_perm = nullptr;       // [num_tokens * top_k, hidden] output, expert-contiguous rows
  int32_t* expert_counts = nullptr;      // [num_experts] output: rows per expert
  int32_t* expert_offsets = nullptr;     // [num_experts + 1] output: exclusive prefix sum of counts
  int32_t* perm_row = nullptr;           // [num_tokens, top_k] output: x_perm row of (token, slot)
  int32_t* perm_token = nullptr;         // [num_tokens * top_k] output: source token of each x_perm row
  int32_t* workspace = nullptr;          // [moe_permute_workspace_elems(num_tokens, num_experts)] int32 scratch
  int num_tokens = 0;
  int top_k = 8;                         // <= kMoePermuteMaxTopK
  int num_experts = 256;                 // <= kMoePermuteMaxExperts
  int hidden = 7168;                     // multiple of 8 (16-byte row copies)
};

// Scratch: per-chunk, per-expert counts, then their starting rows.
[[nodiscard]] inline std::size_t moe_permute_workspace_elems(int num_tokens, int num_experts) {
  const std::size_t chunks = (static_cast<std::size_t>(num_tokens) + kMoePermuteChunkTokens - 1) / kMoePermuteChunkTokens;
  return chunks * static_cast<std::size_t>(num_experts);
}

// Four launches: per-chunk counts, scan (counts, offsets, chunk starts), row indices, row gather.
void moe_permute(const MoePermuteParams& p, cudaStream_t stream);

struct MoeUnpermuteParams {
  const __nv_bfloat16* y_perm = nullptr;  // [num_tokens * top_k, hidden] expert outputs in permuted order
  const int32_t* perm_row = nullptr;      // [num_tokens, top_k] from moe_permute
  const float* gates = nullptr;           // [num_tokens, top_k] FP32 gates (router_topk)
  __nv_bfloat16* out = nullptr;           // [num_tokens, hidden] out[t] = sum_k gates[t,k] * y_perm[perm_row[t,k]]
  int num_tokens = 0;
  int top_k = 8;
  int hidden = 7168;                      // multiple of 8
};

// One CTA per token, FP32 accumulation over the k expert rows, one bf16 rounding.
void moe_unpermute(const MoeUnpermuteParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels
