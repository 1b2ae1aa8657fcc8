#include "sim/model/layer_ops.h"

#include <string>

#include "sim/core/error.h"
#include "sim/model/expert_ops.h"
#include "sim/model/op_factory.h"

namespace deepsim {
namespace {

namespace f = op_factory;

std::int64_t split(std::int64_t size, int tp, const char* what) {
  DEEPSIM_ASSERT(tp >= 1 && size % tp == 0, std::string(what) + " is not divisible by tp");
  return size / tp;
}

void append(std::vector<Op>& to, std::vector<Op> from) {
  for (Op& op : from) to.push_back(std::move(op));
}

// MLA (DeepSeek-V2/V3). q_a and kv_a read the same normed input and run as one GEMM (N = 1536 + 576 for
// V3, the shape DeepGEMM benchmarks, R21); kv_a's output includes the shared RoPE key (qk_rope_head_dim).
std::vector<Op> mla_ops(const ModelSpec& m, const OpContext& c) {
  const AttentionSpec& a = m.attention;
  const bool fp8 = c.fp8(), rc = c.recompute;
  const std::int64_t t = c.tokens, d = m.hidden, h = split(a.heads, c.tp, "attention.heads");
  const std::int64_t d_qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
  const std::int64_t kv_a_n = a.kv_lora_rank + a.qk_rope_head_dim;
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("attn_norm", t, d, rc));
  if (a.q_lora_rank > 0) {
    ops.push_back(f::gemm("mla.qkv_a", {t, a.q_lora_rank + kv_a_n, d}, {.fp8 = fp8, .save_input = !rc}));
    ops.push_back(f::rms_norm("mla.q_a_norm", t, a.q_lora_rank, rc));
    ops.push_back(f::gemm("mla.q_b", {t, h * d_qk, a.q_lora_rank}, {.fp8 = fp8, .save_input = !rc, .recompute = rc}));
  } else {
    ops.push_back(f::gemm("mla.kv_a", {t, kv_a_n, d}, {.fp8 = fp8, .save_input = !rc}));
    // Shares kv_a's input, so saves nothing of its own; q is not an up-projection, so never recomputed.
    ops.push_back(f::gemm("mla.q", {t, h * d_qk, d}, {.fp8 = fp8, .save_input = false}));
  }
  ops.push_back(f::rms_norm("mla.kv_a_norm", t, a.kv_lora_rank, rc));
  ops.push_back(f::gemm("mla.kv_b", {t, h * (a.qk_nope_head_dim + a.v_head_dim), a.kv_lora_rank},
                        {.fp8 = fp8, .save_input = !rc, .recompute = rc}));
  Op attn = f::attention("attention", {.tokens = t, .seq_len = c.seq_len, .q_heads = h, .kv_heads = h,
                                       .d_qk = d_qk, .d_v = a.v_head_dim, .causal = c.causal, .save_qkv = !rc});
  // Recomputing K from the latent still needs the shared RoPE key, which kv_b does not produce: keep it.
  if (rc) attn.saved += Bytes(f::kBf16Bytes * static_cast<double>(t * a.qk_rope_head_dim));
  ops.push_back(std::move(attn));
  ops.push_back(f::gemm("mla.o_proj", {t, d, h * a.v_head_dim}, {.fp8 = fp8}));
  return ops;
}

// GQA (Llama, Qwen): q, k and v fused in one column-parallel GEMM. KV heads fewer than tp are replicated.
std::vector<Op> gqa_ops(const ModelSpec& m, const OpContext& c) {
  const AttentionSpec& a = m.attention;
  const std::int64_t t = c.tokens, d = m.hidden, hd = a.head_dim;
  const std::int64_t h = split(a.heads, c.tp, "attention.heads");
  const std::int64_t kvh = a.kv_heads >= c.tp ? split(a.kv_heads, c.tp, "attention.kv_heads") : 1;
  DEEPSIM_ASSERT(a.kv_heads >= c.tp || c.tp % a.kv_heads == 0, "tp must be a multiple of kv_heads below it");
  const std::int64_t qkv_n = (h + 2 * kvh) * hd;
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("attn_norm", t, d, c.recompute));
  ops.push_back(f::gemm("gqa.qkv", {t, qkv_n, d},
                        {.fp8 = c.fp8(), .save_input = !c.recompute, .bias = a.qkv_bias ? qkv_n : 0}));
  ops.push_back(f::attention("attention", {.tokens = t, .seq_len = c.seq_len, .q_heads = h, .kv_heads = kvh,
                                           .d_qk = hd, .d_v = hd, .causal = c.causal, .save_qkv = true}));
  ops.push_back(f::gemm("gqa.o_proj", {t, d, h * hd}, {.fp8 = c.fp8()}));
  return ops;
}

// SwiGLU FFN of inner size `inter` split over tp; the input is the (recomputable) norm output.
std::vector<Op> swiglu_ffn(const std::string& prefix, std::int64_t t, std::int64_t d, std::int64_t inter,
                           const OpContext& c) {
  const bool fp8 = c.fp8(), rc = c.recompute;
  std::vector<Op> ops;
  ops.push_back(f::gemm(prefix + ".gate_up", {t, 2 * inter, d}, {.fp8 = fp8, .save_input = !rc}));
  ops.push_back(f::swiglu(prefix + ".swiglu", t, inter, fp8, rc));
  ops.push_back(f::gemm(prefix + ".down", {t, d, inter}, {.fp8 = fp8, .save_input = !rc}));
  return ops;
}

}  // namespace

std::vector<Op> attention_ops(const ModelSpec& m, const OpContext& c) {
  DEEPSIM_ASSERT(c.tokens > 0 && c.seq_len > 0, "OpContext needs tokens and seq_len");
  return m.attention.kind == AttentionKind::kMla ? mla_ops(m, c) : gqa_ops(m, c);
}

std::vector<Op> dense_ffn_ops(const ModelSpec& m, const OpContext& c) {
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("ffn_norm", c.tokens, m.hidden, c.recompute));
  append(ops, swiglu_ffn("ffn", c.tokens, m.hidden, split(m.dense_intermediate, c.tp, "dense_intermediate"), c));
  return ops;
}

std::vector<Op> moe_ops(const ModelSpec& m, const OpContext& c) {
  const MoeSpec& e = m.moe;
  const std::int64_t t = c.tokens, d = m.hidden;
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("ffn_norm", t, d, c.recompute));
  ops.push_back(f::router("moe.router", t, e.routed_experts, d, e.router_bias));
  if (e.shared_experts > 0) {
    // The shared experts act as one FFN of inner size shared x expert_intermediate.
    const std::int64_t inter = split(std::int64_t{e.shared_experts} * e.expert_intermediate, c.tp, "shared FFN");
    append(ops, swiglu_ffn("moe.shared", t, d, inter, c));
  }
  ops.push_back(f::permute("moe.permute", t, e.top_k, d, c.fp8()));
  const std::vector<std::int64_t> counts = balanced_expert_counts(m, t);
  append(ops, grouped_expert_ops(m, counts, c));
  ops.push_back(f::combine("moe.combine", t, e.top_k, d));
  return ops;
}

std::vector<Op> layer_ops(const ModelSpec& m, int layer, const OpContext& c) {
  std::vector<Op> ops = attention_ops(m, c);
  append(ops, m.is_moe_layer(layer) ? moe_ops(m, c) : dense_ffn_ops(m, c));
  return ops;
}

std::vector<Op> embedding_ops(const ModelSpec& m, const OpContext& c) {
  return {f::embedding("embedding", c.tokens, split(m.vocab, c.tp, "vocab"), m.hidden)};
}

std::vector<Op> head_ops(const ModelSpec& m, const OpContext& c) {
  const std::int64_t v = split(m.vocab, c.tp, "vocab");
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("final_norm", c.tokens, m.hidden, false));
  Op head = f::gemm("head", {c.tokens, v, m.hidden}, {.fp8 = false});  // the head stays BF16 (R17)
  if (m.tie_embeddings) head.params = 0;  // the embedding owns the shared matrix
  ops.push_back(std::move(head));
  ops.push_back(f::cross_entropy("loss", c.tokens, v));
  return ops;
}

std::vector<Op> mtp_ops(const ModelSpec& m, const OpContext& c) {
  const std::int64_t t = c.tokens, d = m.hidden;
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("mtp.hnorm", t, d, c.recompute));
  ops.push_back(f::rms_norm("mtp.enorm", t, d, c.recompute));
  ops.push_back(f::gemm("mtp.eh_proj", {t, d, 2 * d}, {.fp8 = c.fp8(), .save_input = !c.recompute}));
  // The MTP block is the kind of layer that would follow the last one (MoE for V3).
  for (Op& op : layer_ops(m, m.layers, c)) {
    op.name = "mtp." + op.name;
    ops.push_back(std::move(op));
  }
  for (Op& op : head_ops(m, c)) {
    op.name = "mtp." + op.name;
    if (op.kind == OpKind::kGemm) op.params = 0;  // shared with the main model's head
    ops.push_back(std::move(op));
  }
  return ops;
}

}  // namespace deepsim
