#include "sim/model/flops_per_token.h"

#include "sim/core/error.h"
#include "sim/model/param_count.h"

namespace deepsim {
namespace {

// The terms of one layer (index `layer`; an index past the last layer gives the MTP block's kind).
void add_layer(const ModelSpec& m, int layer, double keys_seen, FlopsPerToken& f) {
  const AttentionSpec& a = m.attention;
  const double d = m.hidden;
  const bool mla = a.kind == AttentionKind::kMla;
  const double d_qk = mla ? a.qk_nope_head_dim + a.qk_rope_head_dim : a.head_dim;
  const double d_v = mla ? a.v_head_dim : a.head_dim;
  // Biases add one FLOP per output, not two per weight: leave them out of the matmul count.
  const double bias = static_cast<double>(attention_bias_params(m));
  f.attn_proj += Flops(2 * (static_cast<double>(attention_params(m)) - bias));
  f.attn_scores += Flops(2 * a.heads * (d_qk + d_v) * keys_seen);
  if (!m.is_moe_layer(layer)) {
    f.dense_ffn += Flops(2.0 * m.mlp_matrices() * d * m.dense_intermediate);  // biases excluded
    return;
  }
  const double expert = static_cast<double>(expert_params(m));
  f.routed_experts += Flops(2 * m.moe.top_k * expert);
  f.shared_experts += Flops(2 * m.moe.shared_experts * expert);
  f.router += Flops(2.0 * m.moe.routed_experts * d);
}

}  // namespace

FlopsPerToken flops_per_token(const ModelSpec& m, int seq_len, bool causal) {
  DEEPSIM_ASSERT(seq_len > 0, "flops_per_token needs a positive seq_len");
  const double keys_seen = causal ? seq_len / 2.0 : seq_len;
  FlopsPerToken f;
  for (int l = 0; l < m.layers; ++l) add_layer(m, l, keys_seen, f);
  const double d = m.hidden;
  f.head = Flops(2 * d * m.vocab);
  // Each MTP module: its projection, one block, and another pass through the shared head.
  FlopsPerToken block;
  add_layer(m, m.layers, keys_seen, block);
  const Flops one_mtp = Flops(2 * 2 * d * d) + block.forward() + f.head;
  f.mtp = one_mtp * m.mtp_depth;
  return f;
}

}  // namespace deepsim
