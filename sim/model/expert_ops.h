// Routed-expert ops for an arbitrary token count per expert, so the MoE module can feed imbalanced
// loads: one expert is SwiGLU (gate and up fused into N = 2 x inter, then down); several experts on one
// GPU run as one grouped launch per projection. Experts are never split by TP; expert TP
// (OpContext::expert_tp = E > 1, Megatron-core's expert tensor parallelism) splits each expert's gate_up
// by columns and its down projection by rows over E GPUs, which all-gather their dispatched tokens first:
// every GEMM sees E x the tokens given here (those the EP dispatch brought this GPU) and 1/E of the inner
// size, so FLOPs per GPU stay those of E = 1 while shapes, parameters and the saved input change.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/model/layer_ops.h"

namespace deepsim {

// gate_up (N = 2*inter, K = hidden), swiglu, down (N = hidden, K = inter) for one expert.
[[nodiscard]] std::vector<Op> expert_ops(const ModelSpec& m, std::int64_t tokens_for_this_expert,
                                         const OpContext& c);
// The same three ops as grouped launches over the given experts (one group per entry); tokens per
// expert before the expert-TP all-gather.
[[nodiscard]] std::vector<Op> grouped_expert_ops(const ModelSpec& m, std::span<const std::int64_t> tokens_per_expert,
                                                 const OpContext& c);
// Balanced routing: tokens * top_k / routed_experts per expert (may be fractional).
[[nodiscard]] double balanced_tokens_per_expert(const ModelSpec& m, std::int64_t tokens);
// Integer per-expert counts of the balanced case, summing exactly to tokens * top_k: the remainder goes
// one token each to the lowest-numbered experts (deterministic).
[[nodiscard]] std::vector<std::int64_t> balanced_expert_counts(const ModelSpec& m, std::int64_t tokens);

}  // namespace deepsim
