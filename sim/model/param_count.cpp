#include "sim/model/param_count.h"

namespace deepsim {
namespace {

using i64 = std::int64_t;

i64 swiglu_params(i64 hidden, i64 inter) { return 3 * hidden * inter; }  // gate, up, down (experts)

// The dense FFN: SwiGLU's 3 matrices or GELU's 2, plus their biases where every Linear has one.
i64 dense_ffn_params(const ModelSpec& m) {
  const i64 d = m.hidden, inter = m.dense_intermediate;
  const i64 bias = m.linear_bias ? (m.mlp == MlpKind::kGelu ? inter + d : 2 * inter + d) : 0;
  return m.mlp_matrices() * d * inter + bias;
}

// Everything of one layer but its attention: FFN or MoE block and the two layer norms, by component.
struct LayerParams {
  i64 attention = 0, norms = 0, dense_ffn = 0, routed = 0, routed_activated = 0, shared = 0, router = 0;
  [[nodiscard]] i64 total() const { return attention + norms + dense_ffn + routed + shared + router; }
  [[nodiscard]] i64 activated() const { return attention + norms + dense_ffn + routed_activated + shared + router; }
};

LayerParams layer_params(const ModelSpec& m, int layer) {
  LayerParams p;
  p.attention = attention_params(m);
  p.norms = 2 * i64{m.norm_params(m.hidden)} + attention_norm_params(m);
  if (!m.is_moe_layer(layer)) {
    p.dense_ffn = dense_ffn_params(m);
    return p;
  }
  p.routed = i64{m.moe.routed_experts} * expert_params(m);
  p.routed_activated = i64{m.moe.top_k} * expert_params(m);
  p.shared = i64{m.moe.shared_experts} * expert_params(m);
  p.router = router_params(m);
  return p;
}

}  // namespace

i64 attention_params(const ModelSpec& m) {
  const AttentionSpec& a = m.attention;
  const i64 d = m.hidden, h = a.heads;
  if (a.kind == AttentionKind::kGqa) {
    const i64 qkv_n = (h + 2 * i64{a.kv_heads}) * a.head_dim;
    return d * qkv_n + h * a.head_dim * d + attention_bias_params(m);
  }
  const i64 d_qk = i64{a.qk_nope_head_dim} + a.qk_rope_head_dim;
  const i64 q = a.q_lora_rank > 0 ? d * a.q_lora_rank + i64{a.q_lora_rank} * h * d_qk : d * h * d_qk;
  const i64 kv_a = d * (i64{a.kv_lora_rank} + a.qk_rope_head_dim);
  const i64 kv_b = i64{a.kv_lora_rank} * h * (i64{a.qk_nope_head_dim} + a.v_head_dim);
  const i64 o = h * a.v_head_dim * d;
  return q + kv_a + kv_b + o + attention_bias_params(m);
}

i64 attention_bias_params(const ModelSpec& m) {
  const AttentionSpec& a = m.attention;
  if (a.kind != AttentionKind::kGqa) return m.linear_bias ? i64{m.hidden} : 0;  // MLA: only o_proj's, if any
  const i64 qkv_n = (i64{a.heads} + 2 * i64{a.kv_heads}) * a.head_dim;
  return (a.qkv_bias || m.linear_bias ? qkv_n : 0) + (m.linear_bias ? i64{m.hidden} : 0);
}

i64 attention_norm_params(const ModelSpec& m) {
  const AttentionSpec& a = m.attention;
  return a.kind == AttentionKind::kMla ? i64{m.norm_params(a.q_lora_rank)} + m.norm_params(a.kv_lora_rank) : 0;
}

i64 expert_params(const ModelSpec& m) { return swiglu_params(m.hidden, m.moe.expert_intermediate); }

i64 router_params(const ModelSpec& m) {
  return i64{m.moe.routed_experts} * m.hidden + (m.moe.router_bias ? m.moe.routed_experts : 0);
}

i64 mtp_module_params(const ModelSpec& m) {
  const i64 d = m.hidden;
  // hnorm + enorm, eh_proj (2d -> d), the block (of the kind after the last layer), the head's norm.
  const i64 n = m.norm_params(m.hidden);
  return 2 * n + 2 * d * d + layer_params(m, m.layers).total() + n;
}

ParamCount count_params(const ModelSpec& m) {
  ParamCount c;
  const i64 d = m.hidden;
  c.embedding = (i64{m.vocab} + m.position_embeddings) * d;  // token table and a learned position table
  c.output_head = m.tie_embeddings ? 0 : i64{m.vocab} * d;
  c.norms = m.norm_params(m.hidden);  // final norm
  i64 activated_layers = 0;
  for (int l = 0; l < m.layers; ++l) {
    const LayerParams p = layer_params(m, l);
    c.attention += p.attention;
    c.norms += p.norms;
    c.dense_ffn += p.dense_ffn;
    c.routed_experts += p.routed;
    c.shared_experts += p.shared;
    c.router += p.router;
    activated_layers += p.activated();
  }
  c.activated = c.embedding + c.output_head + m.norm_params(m.hidden) + activated_layers;
  c.mtp = m.mtp_depth * mtp_module_params(m);
  const LayerParams block = layer_params(m, m.layers);
  c.activated_mtp = m.mtp_depth * (mtp_module_params(m) - block.total() + block.activated());
  return c;
}

}  // namespace deepsim
