// Model FLOPs per token of training at a sequence length: 2 FLOPs per activated matmul parameter in the
// forward, plus the attention score and value products, and 3x the forward for forward + backward (the
// backward does the dgrad and wgrad products, each as large as the forward). The attention backward is
// counted as 2x its forward, i.e. without flash attention's recompute of QK^T: these are "model FLOPs"
// for MFU, not the FLOPs the kernels execute (Op::dgrad counts those). Embedding lookups, norms,
// activations and the loss count 0. docs/model.md writes the formula out term by term.
#pragma once

#include "sim/core/units.h"
#include "sim/model/model_spec.h"

namespace deepsim {

struct FlopsPerToken {
  // Forward FLOPs per token, by term.
  Flops attn_proj;       // 2 x attention projection weights, summed over layers
  Flops attn_scores;     // QK^T and PV: 2 x heads x (d_qk + d_v) x keys seen, summed over layers
  Flops dense_ffn;       // 2 x 3 x hidden x dense_intermediate per dense layer
  Flops routed_experts;  // 2 x top_k x 3 x hidden x expert_intermediate per MoE layer
  Flops shared_experts;  // 2 x shared x 3 x hidden x expert_intermediate per MoE layer
  Flops router;          // 2 x routed_experts x hidden per MoE layer
  Flops head;            // 2 x vocab x hidden
  Flops mtp;             // per MTP module: 2 x 2d x d projection, its layer's terms, the shared head

  [[nodiscard]] Flops forward() const {
    return attn_proj + attn_scores + dense_ffn + routed_experts + shared_experts + router + head;
  }
  [[nodiscard]] Flops forward_with_mtp() const { return forward() + mtp; }
  [[nodiscard]] Flops training() const { return 3.0 * forward(); }
  [[nodiscard]] Flops training_with_mtp() const { return 3.0 * forward_with_mtp(); }
};

// causal: a query at position i attends to i keys, on average seq_len / 2; otherwise all seq_len keys.
[[nodiscard]] FlopsPerToken flops_per_token(const ModelSpec& m, int seq_len, bool causal = true);

}  // namespace deepsim
