// Builders for each op family. Every FLOP and byte formula of docs/model.md lives here once; the layer
// builders (layer_ops.cpp, expert_ops.cpp) only choose shapes. Dtype sizes: FP8 = 1 byte (the 1x128
// activation and 128x128 weight scales, <= 3.1%, are ignored, as in DeepGEMM's own byte count, R21),
// BF16 = 2, FP32 = 4; GEMM outputs are BF16; weight gradients accumulate into FP32 (read + write).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/model/model_spec.h"
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
inline constexpr double kLayerNormFwdFlopsPerElem = 6;  // mean, subtract, square, sum, scale, gain + bias
inline constexpr double kLayerNormBwdFlopsPerElem = 10;
inline constexpr double kGeluFwdFlopsPerElem = 8;    // bias add and the tanh approximation
inline constexpr double kGeluBwdFlopsPerElem = 12;
inline constexpr double kSoftmaxFwdFlopsPerElem = 5;  // scale, mask, max, exp, sum and divide
inline constexpr double kSoftmaxBwdFlopsPerElem = 4;
inline constexpr double kDropoutMaskBytes = 1;       // one byte per element (Korthikanti et al. 2022, 4.1)
inline constexpr double kLossFwdFlopsPerLogit = 4;   // max, subtract, exp, sum
inline constexpr double kLossBwdFlopsPerLogit = 2;   // softmax - one-hot, scale

[[nodiscard]] double gemm_input_bytes(bool fp8);

struct GemmOptions {
  bool fp8 = false;
  bool save_input = true;          // false: the input is saved by another op or recomputed
  bool recompute = false;          // the output is recomputed in the backward (MLA up-projections, TR 3.4)
  std::int64_t bias = 0;           // bias parameters (Qwen q/k/v)
};

// The FP8 quantisation kernels around one FP8 GEMM D[M x N] = X[M x K] W^T (R17: activations in 1x128
// tiles along K for the forward and dgrad, along M (the token axis) for the wgrad, which reduces over
// tokens): forward, a per-token cast of X (skipped when X arrives in FP8: dispatched tokens, or a SwiGLU
// that writes FP8); dgrad, a per-token cast of dY; wgrad, a per-channel cast + transpose of X and of dY.
// Each reads BF16 and writes FP8 plus one FP32 scale per 128 elements. `tokens` is M summed over the
// groups of a grouped GEMM. Weight casts (once per step, into a cached FP8 copy) are ignored.
[[nodiscard]] Op fp8_casts(std::string name, std::int64_t tokens, std::int64_t n, std::int64_t k, bool input_fp8);

// Short kernels whose cost is mostly their launches; bytes from their shapes.
// RoPE on the rotary part of q (tokens x q_heads x rope_dim) and k (tokens x k_heads x rope_dim): read +
// write BF16, forward and backward, one launch each for q and k.
[[nodiscard]] Op rope(std::string name, std::int64_t tokens, std::int64_t q_heads, std::int64_t k_heads,
                      std::int64_t rope_dim);
// A BF16 copy of `elements` (read + write), forward and backward (the gradient is copied back).
[[nodiscard]] Op copy(std::string name, double elements, int launches);
// Residual add out = x + f(x) over tokens x width, BF16: forward reads two and writes one; the backward
// adds the branch's input gradient to the residual stream's.
// With `dropout`, Megatron's fused bias-dropout-add: the branch is dropped out on the way in, so the
// forward also writes (and keeps) a 1-byte mask and the backward reads it.
[[nodiscard]] Op residual_add(std::string name, std::int64_t tokens, std::int64_t width, bool dropout = false);
// Top-k selection of the router (sigmoid or softmax, bias, group top-k, mask, top-k, normalise) over the
// FP32 scores [tokens x experts]: `passes` reads + writes of the score matrix; the launch counts are the
// small kernels DeepSeek's training framework runs (profile-data train.json: 30 forward, 20 backward).
[[nodiscard]] Op router_topk(std::string name, std::int64_t tokens, std::int64_t experts, std::int64_t top_k);
// Building the permutation of the routed tokens: count tokens per expert, prefix sums and the gather
// index (int32 per routed copy), 4 launches forward (train.json: clean_and_count_expert,
// get_fused_mapping and two index kernels), none in the backward (the index is kept).
[[nodiscard]] Op permute_index(std::string name, std::int64_t tokens, std::int64_t top_k, std::int64_t experts);
// D[M x N] = A[M x K] . W[N x K]^T on one rank.
[[nodiscard]] Op gemm(std::string name, GemmShape s, GemmOptions o);
// One launch over the given experts' token counts; each group has its own W[N x K]. Groups with zero
// tokens do no work and read no weights.
[[nodiscard]] Op grouped_gemm(std::string name, std::span<const std::int64_t> tokens_per_group, std::int64_t n,
                              std::int64_t k, bool fp8);

// Megatron's recomputation of an op's forward in the backward, as its own kernels: "<name>.recompute",
// the forward's FLOPs, bytes and launches in the dgrad pass, timed as the forward (Op::reruns_forward).
// Owns no parameters and keeps nothing.
[[nodiscard]] Op recompute_clone(const Op& op);
// Megatron full recompute over a list of ops: each keeps nothing and is followed by its recompute clone.
void recompute_all(std::vector<Op>& ops);

// RMSNorm over `width` channels; keeps its BF16 input. recompute: the output is recomputed in the
// backward instead of being kept by its consumer (TR 3.4), so the forward work repeats in dgrad.
[[nodiscard]] Op rms_norm(std::string name, std::int64_t tokens, std::int64_t width, bool recompute);
// RMSNorm or LayerNorm (gain and bias: 2 x width parameters, a few more FLOPs, the same bytes). The
// per-token statistics (FP32 mean / rstd) are left out of the saved bytes, as Korthikanti et al. do.
[[nodiscard]] Op norm(std::string name, NormKind kind, std::int64_t tokens, std::int64_t width, bool recompute);
// gelu(x + b) (Megatron's fused bias-GELU); input [tokens x inter] BF16 (kept for the backward, in the
// dtype the next GEMM reads: 2 bytes under BF16 = Korthikanti's 8sbh/t for inter = 4h), output in the
// dtype the second projection reads.
[[nodiscard]] Op gelu(std::string name, std::int64_t tokens, std::int64_t inter, bool fp8, bool recompute);
// The gradient of a Linear's bias: a reduction of dY [tokens x n] over the tokens, its own kernel in the
// weight-gradient pass (read dY in BF16, read-modify-write the FP32 gradient).
[[nodiscard]] Op bias_grad(std::string name, std::int64_t tokens, std::int64_t n);
// Dropout over `elements`: forward reads BF16 and writes BF16 plus a 1-byte mask, kept for the backward;
// the backward reads dy and the mask and writes dx.
[[nodiscard]] Op dropout(std::string name, double elements);
// silu(gate) * up (* routing weight); input [tokens x 2*inter] BF16, output [tokens x inter] in the dtype
// the down projection reads. The input is kept for the backward (FP8 under the FP8 recipe, TR 3.3.3);
// recompute as for rms_norm.
[[nodiscard]] Op swiglu(std::string name, std::int64_t tokens, std::int64_t inter, bool fp8, bool recompute);

struct AttentionShape {
  std::int64_t tokens = 0;    // on this rank; a whole number of sequences (their 1/cp share under CP)
  std::int64_t seq_len = 0;   // of a whole sequence
  std::int64_t q_heads = 0;   // on this rank
  std::int64_t kv_heads = 0;  // on this rank (MLA: = q_heads, K and V materialised by kv_b)
  std::int64_t d_qk = 0;
  std::int64_t d_v = 0;
  bool causal = true;
  bool save_qkv = true;       // false: Q, K, V are recomputed from the MLA latents in the backward
  // Context parallelism (flash core only): `tokens` are the rank's 1/cp of each sequence, load-balanced,
  // so the rank does 1/cp of the causal pairs and reads the other cp - 1 ranks' K/V chunks as they
  // arrive over the ring (the backward also writes their dK/dV partials).
  std::int64_t cp = 1;
};
[[nodiscard]] Op attention(std::string name, const AttentionShape& a);

// The unfused attention core (Megatron, AttentionCore::kUnfused), per rank, B = sequences x q_heads:
// scores = Q K^T (batched GEMM, B x [S x S] over d_qk, the whole S x S computed and then masked),
// softmax (scale + causal mask + softmax in one memory-bound kernel, BF16 in and out), dropout of the
// probabilities, and context = P V (batched GEMM, B x [S x d_v] over S). What each keeps for the backward
// (Korthikanti et al. 2022, 4.1): scores keeps Q and K; softmax its output; dropout its mask; P V its
// P input (the dropout output; without dropout it is the softmax output, kept once) and V.
[[nodiscard]] Op attention_scores(std::string name, const AttentionShape& a);
[[nodiscard]] Op attention_softmax(std::string name, const AttentionShape& a);
[[nodiscard]] Op attention_values(std::string name, const AttentionShape& a, bool save_probs);
// Elements of the per-rank S x S score matrices: sequences x q_heads x S^2.
[[nodiscard]] double attention_score_elements(const AttentionShape& a);

// Gating GEMM (BF16, reference R17) with FP32 scores; top-k selection is folded in.
[[nodiscard]] Op router(std::string name, std::int64_t tokens, std::int64_t experts, std::int64_t hidden,
                        bool bias);
[[nodiscard]] Op embedding(std::string name, std::int64_t tokens, std::int64_t vocab_rows, std::int64_t hidden);
[[nodiscard]] Op cross_entropy(std::string name, std::int64_t tokens, std::int64_t vocab_cols);
// Token permutation for the routed experts (before dispatch) and the weighted sum after combine.
[[nodiscard]] Op permute(std::string name, std::int64_t tokens, std::int64_t top_k, std::int64_t hidden, bool fp8);
[[nodiscard]] Op combine(std::string name, std::int64_t tokens, std::int64_t top_k, std::int64_t hidden);

}  // namespace deepsim::op_factory
