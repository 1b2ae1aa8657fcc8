// The ops of one training step, layer by layer, for one micro-batch on one tensor-parallel rank:
// attention (MLA or GQA), the dense FFN or the MoE block, the embedding, the output head with its loss,
// and the multi-token-prediction modules. Tensor parallelism follows Megatron: column-parallel up
// projections and row-parallel down projections split by heads / inner size; the MLA down projections,
// norms and the router are replicated; embedding and head split the vocabulary; routed experts are
// never split by TP (expert parallelism places whole experts), only by expert TP (OpContext::expert_tp).
// Formulas: docs/model.md.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/model_spec.h"
#include "sim/model/op.h"
#include "sim/model/recompute.h"

namespace deepsim {

struct OpContext {
  std::int64_t tokens = 0;  // tokens of the micro-batch on this rank: micro_batch_size x seq_len / cp
  int seq_len = 0;          // tokens per sequence (whole, before the CP split); attention works within a sequence
  int tp = 1;               // tensor-parallel degree
  Precision precision = Precision::kFp8;
  bool causal = true;       // causal masking: half of the S x S attention work
  // What the backward recomputes instead of keeping (recompute.h): DeepSeek-V3's partial recompute,
  // Megatron's selective (attention core) or full (whole layer) recompute.
  RecomputeMode recompute = RecomputeMode::kNone;
  // Megatron sequence parallelism: the ops outside the TP region (norms, dropout, residual adds) run on
  // tokens / tp and keep 1/tp of their activations; the column-parallel GEMMs keep their input's shard
  // (all-gathered again in the backward). The communication is the step's (sim/step), not this module's.
  bool sequence_parallel = false;
  // Context parallelism: the rank holds seq_len / cp tokens of each sequence (chunks i and 2cp-1-i), so
  // every token-proportional op runs on `tokens` = micro_batch x seq_len / cp, and the attention core
  // does 1/cp of the sequence's causal work against the whole sequence's keys (K/V chunks received over
  // the ring; the communication is the step's).
  int cp = 1;
  // Expert tensor parallelism (parallel.expert_tp): each routed expert's FFN split column/row-parallel over
  // expert_tp GPUs that all-gather their dispatched tokens first, so the expert GEMMs see expert_tp x the
  // tokens and 1/expert_tp of the inner size (expert_ops.h); the collectives are the step's.
  int expert_tp = 1;

  [[nodiscard]] bool fp8() const { return precision == Precision::kFp8; }
  [[nodiscard]] bool partial() const { return recompute == RecomputeMode::kPartial; }
  // Tokens the ops outside the TP region work on: all of them, or a 1/tp shard under sequence parallelism.
  [[nodiscard]] std::int64_t sp_tokens() const { return sequence_parallel ? tokens / tp : tokens; }
};

// Attention sub-block: pre-attention norm, projections, core attention, output projection.
[[nodiscard]] std::vector<Op> attention_ops(const ModelSpec& m, const OpContext& c);
// Dense FFN (SwiGLU or GELU, with biases where the model has them) with its pre-FFN norm and residual.
[[nodiscard]] std::vector<Op> dense_ffn_ops(const ModelSpec& m, const OpContext& c);
// MoE block with its pre-FFN norm: router, shared experts, permute, routed experts (balanced: every
// expert gets tokens * top_k / routed_experts, as one grouped launch over all experts), combine.
[[nodiscard]] std::vector<Op> moe_ops(const ModelSpec& m, const OpContext& c);
// A whole transformer layer (0-based index; dense or MoE per ModelSpec::is_moe_layer).
[[nodiscard]] std::vector<Op> layer_ops(const ModelSpec& m, int layer, const OpContext& c);
[[nodiscard]] std::vector<Op> embedding_ops(const ModelSpec& m, const OpContext& c);
// Final norm, output head (BF16, R17) and softmax cross-entropy.
[[nodiscard]] std::vector<Op> head_ops(const ModelSpec& m, const OpContext& c);
// One MTP module (V3, TR 2.2): norms of the hidden state and of the next token's embedding, the
// 2*hidden -> hidden projection, one transformer layer (MoE when the model is), and the shared head and
// loss. The embedding and head weights belong to the main model, so those ops own no parameters here.
[[nodiscard]] std::vector<Op> mtp_ops(const ModelSpec& m, const OpContext& c);
// The pieces of mtp_ops around its transformer layer (layer_ops(m, m.layers, c)): the two norms and the
// projection before it, and the shared head and loss after it. The step costs the layer itself like a
// main layer (expert-parallel, with its own dispatch and combine).
[[nodiscard]] std::vector<Op> mtp_input_ops(const ModelSpec& m, const OpContext& c);
[[nodiscard]] std::vector<Op> mtp_head_ops(const ModelSpec& m, const OpContext& c);

}  // namespace deepsim
