// Builders for each op family. Every FLOP and byte formula of docs/model.md lives here once; the layer
// builders (layer_ops.cpp, expert_ops.cpp) only choose shapes. Dtype sizes: FP8 = 1 byte (the 1x128
// activation and 128x128 weight scales, <= 3.1%, are ignored, as in DeepGEMM's own byte count, R21),
// BF16 = 2, FP32 = 4; GEMM outputs are BF16; weight gradients accumulate into FP32 (read + write).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "sim/model/op.h"

namespace deepsim::op_factory {

inline constexpr double kFp8Bytes = 1;
inline constexpr double kBf16Bytes = 2;
inline constexpr double kFp32Bytes = 4;
// Approximate FLOPs per element of the memory-bound ops; their time is set by bytes, so these only
// keep their FLOPs non-zero in reports.
inline constexpr double kNormFwdFlopsPerElem = 4;    // square, sum, scale by rsqrt, multiply by gain
inline constexpr double kNormBwdFlopsPerElem = 8;
inline constexpr double kSwigluFwdFlopsPerElem = 6;  // sigmoid (~3), x*sigmoid, *up, *routing weight
inline constexpr double kSwigluBwdFlopsPerElem = 12;
inline constexpr double kLossFwdFlopsPerLogit = 4;   // max, subtract, exp, sum
inline constexpr double kLossBwdFlopsPerLogit = 2;   // softmax - one-hot, scale

[[nodiscard]] double gemm_input_bytes(bool fp8);

struct GemmOptions {
  bool fp8 = false;
  bool save_input = true;          // false: the input is saved by another op or recomputed
  bool recompute = false;          // the output is recomputed in the backward (MLA up-projections, TR 3.4)
  std::int64_t bias = 0;           // bias parameters (Qwen q/k/v)
};
// D[M x N] = A[M x K] . W[N x K]^T on one rank.
[[nodiscard]] Op gemm(std::string name, GemmShape s, GemmOptions o);
// One launch over the given experts' token counts; each group has its own W[N x K]. Groups with zero
// tokens do no work and read no weights.
[[nodiscard]] Op grouped_gemm(std::string name, std::span<const std::int64_t> tokens_per_group, std::int64_t n,
                              std::int64_t k, bool fp8);

// RMSNorm over `width` channels; keeps its BF16 input. recompute: the output is recomputed in the
// backward instead of being kept by its consumer (TR 3.4), so the forward work repeats in dgrad.
[[nodiscard]] Op rms_norm(std::string name, std::int64_t tokens, std::int64_t width, bool recompute);
// silu(gate) * up (* routing weight); input [tokens x 2*inter] BF16, output [tokens x inter] in the dtype
// the down projection reads. The input is kept for the backward (FP8 under the FP8 recipe, TR 3.3.3);
// recompute as for rms_norm.
[[nodiscard]] Op swiglu(std::string name, std::int64_t tokens, std::int64_t inter, bool fp8, bool recompute);

struct AttentionShape {
  std::int64_t tokens = 0;    // on this rank; a whole number of sequences
  std::int64_t seq_len = 0;
  std::int64_t q_heads = 0;   // on this rank
  std::int64_t kv_heads = 0;  // on this rank (MLA: = q_heads, K and V materialised by kv_b)
  std::int64_t d_qk = 0;
  std::int64_t d_v = 0;
  bool causal = true;
  bool save_qkv = true;       // false: Q, K, V are recomputed from the MLA latents in the backward
};
[[nodiscard]] Op attention(std::string name, const AttentionShape& a);

// Gating GEMM (BF16, reference R17) with FP32 scores; top-k selection is folded in.
[[nodiscard]] Op router(std::string name, std::int64_t tokens, std::int64_t experts, std::int64_t hidden,
                        bool bias);
[[nodiscard]] Op embedding(std::string name, std::int64_t tokens, std::int64_t vocab_rows, std::int64_t hidden);
[[nodiscard]] Op cross_entropy(std::string name, std::int64_t tokens, std::int64_t vocab_cols);
// Token permutation for the routed experts (before dispatch) and the weighted sum after combine.
[[nodiscard]] Op permute(std::string name, std::int64_t tokens, std::int64_t top_k, std::int64_t hidden, bool fp8);
[[nodiscard]] Op combine(std::string name, std::int64_t tokens, std::int64_t top_k, std::int64_t hidden);

}  // namespace deepsim::op_factory
