// Parameter counts of a ModelSpec by component, the totals with and without the MTP modules, and the
// parameters activated per token. What is counted (docs/model.md has the table for the presets):
//  - attention: every projection matrix (MLA q_a, q_b, kv_a incl. the RoPE key, kv_b, o; GQA q, k, v, o)
//    plus q/k/v biases where the model has them (Qwen2.5), and every bias under linear_bias (GPT);
//  - dense FFN: SwiGLU's 3 or GELU's 2 matrices, plus their biases under linear_bias;
//  - norms: every RMSNorm gain, or LayerNorm gain and bias (attention and FFN norms, MLA's q_a/kv_a
//    norms, the final norm);
//  - router: gating matrices plus the per-expert score bias where present (V3's e_score_correction_bias,
//    not trained by gradient but stored with the model);
//  - embedding (the token table plus a learned position table where the model has one) and output head
//    separately (the head counts 0 when tied);
//  - mtp: each MTP module's own weights (two norms, the 2d -> d projection, its transformer layer, the
//    norm before the shared head); the embedding and head it shares are not counted again.
// Rotary embeddings have no parameters.
#pragma once

#include <cstdint>

#include "sim/model/model_spec.h"

namespace deepsim {

struct ParamCount {
  std::int64_t embedding = 0;
  std::int64_t attention = 0;
  std::int64_t dense_ffn = 0;
  std::int64_t routed_experts = 0;   // all routed experts of all MoE layers
  std::int64_t shared_experts = 0;
  std::int64_t router = 0;
  std::int64_t norms = 0;
  std::int64_t output_head = 0;
  std::int64_t mtp = 0;
  // Per token: top_k routed experts per MoE layer instead of all of them; everything else counts fully.
  std::int64_t activated = 0;        // without MTP
  std::int64_t activated_mtp = 0;    // the MTP modules' own activated parameters

  [[nodiscard]] std::int64_t total() const {
    return embedding + attention + dense_ffn + routed_experts + shared_experts + router + norms + output_head;
  }
  [[nodiscard]] std::int64_t total_with_mtp() const { return total() + mtp; }
  [[nodiscard]] std::int64_t activated_with_mtp() const { return activated + activated_mtp; }
};

[[nodiscard]] ParamCount count_params(const ModelSpec& m);

// Building blocks, shared with the FLOPs and memory models.
[[nodiscard]] std::int64_t attention_params(const ModelSpec& m);        // projections (+ biases) of one layer
[[nodiscard]] std::int64_t attention_bias_params(const ModelSpec& m);   // the biases among them
[[nodiscard]] std::int64_t attention_norm_params(const ModelSpec& m);   // norm gains inside one attention
[[nodiscard]] std::int64_t expert_params(const ModelSpec& m);           // one routed or shared expert
[[nodiscard]] std::int64_t router_params(const ModelSpec& m);           // one MoE layer's gate (+ bias)
[[nodiscard]] std::int64_t mtp_module_params(const ModelSpec& m);       // one MTP module, shared parts excluded

}  // namespace deepsim
