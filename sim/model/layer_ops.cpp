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

// An FP8 GEMM comes with the quantisation kernels of its operands (R17), pushed just before it.
// `input_fp8`: the GEMM's input is already FP8 (written so by its producer), so no forward cast.
void push_gemm(std::vector<Op>& ops, Op gemm, bool input_fp8 = false) {
  if (gemm.fp8)
    ops.push_back(f::fp8_casts(gemm.name + ".cast", gemm.gemm.m * gemm.groups, gemm.gemm.n, gemm.gemm.k, input_fp8));
  ops.push_back(std::move(gemm));
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
    push_gemm(ops, f::gemm("mla.qkv_a", {t, a.q_lora_rank + kv_a_n, d}, {.fp8 = fp8, .save_input = !rc}));
    ops.push_back(f::rms_norm("mla.q_a_norm", t, a.q_lora_rank, rc));
    push_gemm(ops, f::gemm("mla.q_b", {t, h * d_qk, a.q_lora_rank}, {.fp8 = fp8, .save_input = !rc, .recompute = rc}));
  } else {
    push_gemm(ops, f::gemm("mla.kv_a", {t, kv_a_n, d}, {.fp8 = fp8, .save_input = !rc}));
    // Shares kv_a's input, so saves nothing of its own; q is not an up-projection, so never recomputed.
    push_gemm(ops, f::gemm("mla.q", {t, h * d_qk, d}, {.fp8 = fp8, .save_input = false}));
  }
  ops.push_back(f::rms_norm("mla.kv_a_norm", t, a.kv_lora_rank, rc));
  push_gemm(ops, f::gemm("mla.kv_b", {t, h * (a.qk_nope_head_dim + a.v_head_dim), a.kv_lora_rank},
                         {.fp8 = fp8, .save_input = !rc, .recompute = rc}));
  // RoPE on q's rotary part and on the one shared rotary key, then the rotary parts copied into the
  // per-head Q and K (the key broadcast to every head): the kernels flash attention's layout needs.
  ops.push_back(f::rope("mla.rope", t, h, 1, a.qk_rope_head_dim));
  ops.push_back(f::copy("mla.qk_assemble", 2.0 * static_cast<double>(t * h * a.qk_rope_head_dim), 2));
  Op attn = f::attention("attention", {.tokens = t, .seq_len = c.seq_len, .q_heads = h, .kv_heads = h,
                                       .d_qk = d_qk, .d_v = a.v_head_dim, .causal = c.causal, .save_qkv = !rc});
  // Recomputing K from the latent still needs the shared RoPE key, which kv_b does not produce: keep it.
  if (rc) attn.saved += Bytes(f::kBf16Bytes * static_cast<double>(t * a.qk_rope_head_dim));
  ops.push_back(std::move(attn));
  push_gemm(ops, f::gemm("mla.o_proj", {t, d, h * a.v_head_dim}, {.fp8 = fp8}));
  ops.push_back(f::residual_add("attn_residual", t, d));
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
  push_gemm(ops, f::gemm("gqa.qkv", {t, qkv_n, d},
                         {.fp8 = c.fp8(), .save_input = !c.recompute, .bias = a.qkv_bias ? qkv_n : 0}));
  ops.push_back(f::rope("gqa.rope", t, h, kvh, hd));
  ops.push_back(f::attention("attention", {.tokens = t, .seq_len = c.seq_len, .q_heads = h, .kv_heads = kvh,
                                           .d_qk = hd, .d_v = hd, .causal = c.causal, .save_qkv = true}));
  push_gemm(ops, f::gemm("gqa.o_proj", {t, d, h * hd}, {.fp8 = c.fp8()}));
  ops.push_back(f::residual_add("attn_residual", t, d));
  return ops;
}

// SwiGLU FFN of inner size `inter` split over tp; the input is the (recomputable) norm output.
std::vector<Op> swiglu_ffn(const std::string& prefix, std::int64_t t, std::int64_t d, std::int64_t inter,
                           const OpContext& c) {
  const bool fp8 = c.fp8(), rc = c.recompute;
  std::vector<Op> ops;
  push_gemm(ops, f::gemm(prefix + ".gate_up", {t, 2 * inter, d}, {.fp8 = fp8, .save_input = !rc}));
  ops.push_back(f::swiglu(prefix + ".swiglu", t, inter, fp8, rc));
  // The SwiGLU kernel writes the down projection's input in FP8 itself (fused cast).
  push_gemm(ops, f::gemm(prefix + ".down", {t, d, inter}, {.fp8 = fp8, .save_input = !rc}), true);
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
  ops.push_back(f::residual_add("ffn_residual", c.tokens, m.hidden));
  return ops;
}

std::vector<Op> moe_ops(const ModelSpec& m, const OpContext& c) {
  const MoeSpec& e = m.moe;
  const std::int64_t t = c.tokens, d = m.hidden;
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("ffn_norm", t, d, c.recompute));
  ops.push_back(f::router("moe.router", t, e.routed_experts, d, e.router_bias));
  ops.push_back(f::router_topk("moe.router_topk", t, e.routed_experts, e.top_k));
  if (e.shared_experts > 0) {
    // The shared experts act as one FFN of inner size shared x expert_intermediate.
    const std::int64_t inter = split(std::int64_t{e.shared_experts} * e.expert_intermediate, c.tp, "shared FFN");
    append(ops, swiglu_ffn("moe.shared", t, d, inter, c));
  }
  ops.push_back(f::permute_index("moe.permute_index", t, e.top_k, e.routed_experts));
  ops.push_back(f::permute("moe.permute", t, e.top_k, d, c.fp8()));
  const std::vector<std::int64_t> counts = balanced_expert_counts(m, t);
  append(ops, grouped_expert_ops(m, counts, c));
  ops.push_back(f::combine("moe.combine", t, e.top_k, d));
  ops.push_back(f::residual_add("ffn_residual", t, d));
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

std::vector<Op> mtp_input_ops(const ModelSpec& m, const OpContext& c) {
  const std::int64_t t = c.tokens, d = m.hidden;
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("mtp.hnorm", t, d, c.recompute));
  ops.push_back(f::rms_norm("mtp.enorm", t, d, c.recompute));
  push_gemm(ops, f::gemm("mtp.eh_proj", {t, d, 2 * d}, {.fp8 = c.fp8(), .save_input = !c.recompute}));
  return ops;
}

std::vector<Op> mtp_head_ops(const ModelSpec& m, const OpContext& c) {
  std::vector<Op> ops;
  for (Op& op : head_ops(m, c)) {
    op.name = "mtp." + op.name;
    if (op.kind == OpKind::kGemm) op.params = 0;  // shared with the main model's head
    ops.push_back(std::move(op));
  }
  return ops;
}

std::vector<Op> mtp_ops(const ModelSpec& m, const OpContext& c) {
  std::vector<Op> ops = mtp_input_ops(m, c);
  // The MTP block is the kind of layer that would follow the last one (MoE for V3).
  for (Op& op : layer_ops(m, m.layers, c)) {
    op.name = "mtp." + op.name;
    ops.push_back(std::move(op));
  }
  append(ops, mtp_head_ops(m, c));
  return ops;
}

}  // namespace deepsim
