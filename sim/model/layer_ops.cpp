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

// Sequence parallelism keeps the shard of a column-parallel GEMM's input (all-gathered again in the
// backward) rather than the gathered input.
void shard_saved(Op& op, const OpContext& c) {
  if (c.sequence_parallel) op.saved = op.saved / static_cast<double>(c.tp);
}

// A Linear with a bias: the bias gradient runs as its own reduction kernel in the weight-gradient pass.
void push_bias_grad(std::vector<Op>& ops, const std::string& gemm, std::int64_t tokens, std::int64_t n) {
  ops.push_back(f::bias_grad(gemm + ".bias_grad", tokens, n));
}

// Megatron full recompute: nothing of the layer is kept but its input (held by the first op, BF16, a
// 1/tp shard under sequence parallelism) and every op's forward runs again before its backward.
void full_recompute(std::vector<Op>& ops, const ModelSpec& m, const OpContext& c, bool keeps_layer_input) {
  if (c.recompute != RecomputeMode::kFull) return;
  f::recompute_all(ops);
  if (keeps_layer_input && !ops.empty())
    ops.front().saved = Bytes(f::kBf16Bytes * static_cast<double>(c.sp_tokens() * m.hidden));
}

// The attention core, flash or unfused, with what it keeps; selective recompute re-runs it in the
// backward from Q, K and V (Korthikanti et al. 2022, 5: "attention core" = QK^T, softmax, dropout, PV).
// Returns whether the core keeps its output O (flash keeps it for its backward), so that o_proj need not
// keep the same BF16 tensor a second time.
bool push_core(std::vector<Op>& ops, const ModelSpec& m, const OpContext& c, const f::AttentionShape& shape) {
  const bool selective = c.recompute == RecomputeMode::kSelective;
  if (m.attention.core == AttentionCore::kFlash) {
    Op attn = f::attention("attention", shape);
    if (selective) {
      // Keeps Q, K, V (when it kept them at all); O and the softmax statistics are rebuilt.
      const double t = static_cast<double>(shape.tokens);
      const double qkv = t * static_cast<double>(shape.q_heads * shape.d_qk + shape.kv_heads * (shape.d_qk + shape.d_v));
      attn.saved = shape.save_qkv ? Bytes(f::kBf16Bytes * qkv) : Bytes(0);
      Op again = f::recompute_clone(attn);
      ops.push_back(std::move(attn));
      ops.push_back(std::move(again));
    } else {
      ops.push_back(std::move(attn));
    }
    return !selective;
  }
  const bool drop = m.dropout > 0;
  std::vector<Op> core;
  core.push_back(f::attention_scores("attention.scores", shape));
  core.push_back(f::attention_softmax("attention.softmax", shape));
  if (drop) core.push_back(f::dropout("attention.dropout", f::attention_score_elements(shape)));
  core.push_back(f::attention_values("attention.values", shape, drop));
  if (selective) {
    // The S x S tensors are rebuilt: Q K^T keeps Q and K, P V keeps V only, softmax and dropout nothing.
    for (Op& op : core)
      if (op.kind != OpKind::kGemm) op.saved = Bytes(0);
    core.back().saved = Bytes(f::kBf16Bytes * static_cast<double>(shape.tokens * shape.kv_heads * shape.d_v));
    const std::size_t n = core.size();
    for (std::size_t i = 0; i < n; ++i) core.push_back(f::recompute_clone(core[i]));
  }
  append(ops, std::move(core));
  return false;
}

// MLA (DeepSeek-V2/V3). q_a and kv_a read the same normed input and run as one GEMM (N = 1536 + 576 for
// V3, the shape DeepGEMM benchmarks, R21); kv_a's output includes the shared RoPE key (qk_rope_head_dim).
std::vector<Op> mla_ops(const ModelSpec& m, const OpContext& c) {
  const AttentionSpec& a = m.attention;
  const bool fp8 = c.fp8(), rc = c.partial();
  const std::int64_t t = c.tokens, d = m.hidden, h = split(a.heads, c.tp, "attention.heads");
  const std::int64_t d_qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
  const std::int64_t kv_a_n = a.kv_lora_rank + a.qk_rope_head_dim;
  std::vector<Op> ops;
  ops.push_back(f::norm("attn_norm", m.norm, c.sp_tokens(), d, rc));
  if (a.q_lora_rank > 0) {
    push_gemm(ops, f::gemm("mla.qkv_a", {t, a.q_lora_rank + kv_a_n, d}, {.fp8 = fp8, .save_input = !rc}));
    shard_saved(ops.back(), c);
    ops.push_back(f::norm("mla.q_a_norm", m.norm, t, a.q_lora_rank, rc));
    push_gemm(ops, f::gemm("mla.q_b", {t, h * d_qk, a.q_lora_rank}, {.fp8 = fp8, .save_input = !rc, .recompute = rc}));
  } else {
    push_gemm(ops, f::gemm("mla.kv_a", {t, kv_a_n, d}, {.fp8 = fp8, .save_input = !rc}));
    shard_saved(ops.back(), c);
    // Shares kv_a's input, so saves nothing of its own; q is not an up-projection, so never recomputed.
    push_gemm(ops, f::gemm("mla.q", {t, h * d_qk, d}, {.fp8 = fp8, .save_input = false}));
  }
  ops.push_back(f::norm("mla.kv_a_norm", m.norm, t, a.kv_lora_rank, rc));
  push_gemm(ops, f::gemm("mla.kv_b", {t, h * (a.qk_nope_head_dim + a.v_head_dim), a.kv_lora_rank},
                         {.fp8 = fp8, .save_input = !rc, .recompute = rc}));
  // RoPE on q's rotary part and on the one shared rotary key, then the rotary parts copied into the
  // per-head Q and K (the key broadcast to every head): the kernels flash attention's layout needs.
  ops.push_back(f::rope("mla.rope", t, h, 1, a.qk_rope_head_dim));
  ops.push_back(f::copy("mla.qk_assemble", 2.0 * static_cast<double>(t * h * a.qk_rope_head_dim), 2));
  const bool keeps_o = push_core(ops, m, c,
                                 {.tokens = t, .seq_len = c.seq_len, .q_heads = h, .kv_heads = h, .d_qk = d_qk,
                                  .d_v = a.v_head_dim, .causal = c.causal, .save_qkv = !rc, .cp = c.cp});
  // Recomputing K from the latent still needs the shared RoPE key, which kv_b does not produce: keep it.
  if (rc) ops.back().saved += Bytes(f::kBf16Bytes * static_cast<double>(t * a.qk_rope_head_dim));
  // o_proj keeps its input unless the core already keeps that BF16 tensor (under FP8 o_proj keeps its
  // own FP8 copy).
  push_gemm(ops, f::gemm("mla.o_proj", {t, d, h * a.v_head_dim}, {.fp8 = fp8, .save_input = fp8 || !keeps_o}));
  ops.push_back(f::residual_add("attn_residual", c.sp_tokens(), d, m.dropout > 0));
  full_recompute(ops, m, c, true);
  return ops;
}

// GQA (Llama, Qwen, Megatron GPT; MHA with kv_heads = heads, MQA with 1): q, k and v fused in one
// column-parallel GEMM. KV heads fewer than tp are replicated.
std::vector<Op> gqa_ops(const ModelSpec& m, const OpContext& c) {
  const AttentionSpec& a = m.attention;
  const std::int64_t t = c.tokens, d = m.hidden, hd = a.head_dim;
  const std::int64_t h = split(a.heads, c.tp, "attention.heads");
  const std::int64_t kvh = a.kv_heads >= c.tp ? split(a.kv_heads, c.tp, "attention.kv_heads") : 1;
  DEEPSIM_ASSERT(a.kv_heads >= c.tp || c.tp % a.kv_heads == 0, "tp must be a multiple of kv_heads below it");
  const std::int64_t qkv_n = (h + 2 * kvh) * hd;
  const bool rc = c.partial();
  std::vector<Op> ops;
  ops.push_back(f::norm("attn_norm", m.norm, c.sp_tokens(), d, rc));
  const std::int64_t qkv_bias = a.qkv_bias || m.linear_bias ? qkv_n : 0;
  push_gemm(ops, f::gemm("gqa.qkv", {t, qkv_n, d}, {.fp8 = c.fp8(), .save_input = !rc, .bias = qkv_bias}));
  shard_saved(ops.back(), c);
  if (qkv_bias > 0) push_bias_grad(ops, "gqa.qkv", t, qkv_n);
  if (m.position_embeddings == 0) ops.push_back(f::rope("gqa.rope", t, h, kvh, hd));
  const bool keeps_o = push_core(ops, m, c,
                                 {.tokens = t, .seq_len = c.seq_len, .q_heads = h, .kv_heads = kvh, .d_qk = hd,
                                  .d_v = hd, .causal = c.causal, .save_qkv = true, .cp = c.cp});
  // Row-parallel: the bias is replicated, added once after the all-reduce (or reduce-scatter).
  const std::int64_t o_bias = m.linear_bias ? d : 0;
  push_gemm(ops, f::gemm("gqa.o_proj", {t, d, h * hd}, {.fp8 = c.fp8(), .save_input = c.fp8() || !keeps_o, .bias = o_bias}));
  if (o_bias > 0) push_bias_grad(ops, "gqa.o_proj", c.sp_tokens(), d);
  ops.push_back(f::residual_add("attn_residual", c.sp_tokens(), d, m.dropout > 0));
  full_recompute(ops, m, c, true);
  return ops;
}

// SwiGLU FFN of inner size `inter` split over tp; the input is the (recomputable) norm output.
std::vector<Op> swiglu_ffn(const std::string& prefix, std::int64_t t, std::int64_t d, std::int64_t inter,
                           const OpContext& c, bool bias = false) {
  const bool fp8 = c.fp8(), rc = c.partial();
  std::vector<Op> ops;
  push_gemm(ops, f::gemm(prefix + ".gate_up", {t, 2 * inter, d}, {.fp8 = fp8, .save_input = !rc, .bias = bias ? 2 * inter : 0}));
  shard_saved(ops.back(), c);
  if (bias) push_bias_grad(ops, prefix + ".gate_up", t, 2 * inter);
  ops.push_back(f::swiglu(prefix + ".swiglu", t, inter, fp8, rc));
  // The SwiGLU kernel writes the down projection's input in FP8 itself (fused cast).
  push_gemm(ops, f::gemm(prefix + ".down", {t, d, inter}, {.fp8 = fp8, .save_input = !rc, .bias = bias ? d : 0}), true);
  if (bias) push_bias_grad(ops, prefix + ".down", c.sp_tokens(), d);
  return ops;
}

// GELU FFN (GPT): fc1 (column-parallel, bias), fused bias-GELU, fc2 (row-parallel, bias).
std::vector<Op> gelu_ffn(const std::string& prefix, std::int64_t t, std::int64_t d, std::int64_t inter,
                         const OpContext& c, bool bias) {
  const bool fp8 = c.fp8(), rc = c.partial();
  std::vector<Op> ops;
  push_gemm(ops, f::gemm(prefix + ".fc1", {t, inter, d}, {.fp8 = fp8, .save_input = !rc, .bias = bias ? inter : 0}));
  shard_saved(ops.back(), c);
  if (bias) push_bias_grad(ops, prefix + ".fc1", t, inter);
  ops.push_back(f::gelu(prefix + ".gelu", t, inter, fp8, rc));
  // As for SwiGLU, the activation kernel writes fc2's input in its dtype (a fused cast under FP8).
  push_gemm(ops, f::gemm(prefix + ".fc2", {t, d, inter}, {.fp8 = fp8, .save_input = !rc, .bias = bias ? d : 0}), true);
  if (bias) push_bias_grad(ops, prefix + ".fc2", c.sp_tokens(), d);
  return ops;
}

}  // namespace

std::vector<Op> attention_ops(const ModelSpec& m, const OpContext& c) {
  DEEPSIM_ASSERT(c.tokens > 0 && c.seq_len > 0, "OpContext needs tokens and seq_len");
  DEEPSIM_ASSERT(!c.sequence_parallel || c.tokens % c.tp == 0, "sequence parallelism needs tokens divisible by tp");
  return m.attention.kind == AttentionKind::kMla ? mla_ops(m, c) : gqa_ops(m, c);
}

std::vector<Op> dense_ffn_ops(const ModelSpec& m, const OpContext& c) {
  std::vector<Op> ops;
  ops.push_back(f::norm("ffn_norm", m.norm, c.sp_tokens(), m.hidden, c.partial()));
  const std::int64_t inter = split(m.dense_intermediate, c.tp, "dense_intermediate");
  append(ops, m.mlp == MlpKind::kGelu ? gelu_ffn("ffn", c.tokens, m.hidden, inter, c, m.linear_bias)
                                      : swiglu_ffn("ffn", c.tokens, m.hidden, inter, c, m.linear_bias));
  ops.push_back(f::residual_add("ffn_residual", c.sp_tokens(), m.hidden, m.dropout > 0));
  full_recompute(ops, m, c, false);
  return ops;
}

std::vector<Op> moe_ops(const ModelSpec& m, const OpContext& c) {
  const MoeSpec& e = m.moe;
  const std::int64_t t = c.tokens, d = m.hidden;
  std::vector<Op> ops;
  ops.push_back(f::norm("ffn_norm", m.norm, c.sp_tokens(), d, c.partial()));
  ops.push_back(f::router("moe.router", t, e.routed_experts, d, e.router_bias));
  ops.push_back(f::router_topk("moe.router_topk", t, e.routed_experts, e.top_k));
  if (e.shared_experts > 0) {
    // The shared experts act as one FFN of inner size shared x expert_intermediate.
    const std::int64_t inter = split(std::int64_t{e.shared_experts} * e.expert_intermediate, c.tp, "shared FFN");
    append(ops, swiglu_ffn("moe.shared", t, d, inter, c));
  }
  ops.push_back(f::permute_index("moe.permute_index", t, e.top_k, e.routed_experts));
  ops.push_back(f::permute("moe.permute", t, e.top_k, d, c.fp8()));
  full_recompute(ops, m, c, false);
  const std::vector<std::int64_t> counts = balanced_expert_counts(m, t);
  append(ops, grouped_expert_ops(m, counts, c));  // applies full recompute itself
  std::vector<Op> tail;
  tail.push_back(f::combine("moe.combine", t, e.top_k, d));
  tail.push_back(f::residual_add("ffn_residual", c.sp_tokens(), d, m.dropout > 0));
  full_recompute(tail, m, c, false);
  append(ops, std::move(tail));
  return ops;
}

std::vector<Op> layer_ops(const ModelSpec& m, int layer, const OpContext& c) {
  std::vector<Op> ops = attention_ops(m, c);
  append(ops, m.is_moe_layer(layer) ? moe_ops(m, c) : dense_ffn_ops(m, c));
  return ops;
}

std::vector<Op> embedding_ops(const ModelSpec& m, const OpContext& c) {
  std::vector<Op> ops{f::embedding("embedding", c.tokens, split(m.vocab, c.tp, "vocab"), m.hidden)};
  // A learned position table (GPT) is replicated on the TP ranks: its own gather, added to the tokens'.
  if (m.position_embeddings > 0)
    ops.push_back(f::embedding("position_embedding", c.tokens, m.position_embeddings, m.hidden));
  if (m.dropout > 0)
    ops.push_back(f::dropout("embedding_dropout", static_cast<double>(c.sp_tokens() * m.hidden)));
  return ops;
}

std::vector<Op> head_ops(const ModelSpec& m, const OpContext& c) {
  const std::int64_t v = split(m.vocab, c.tp, "vocab");
  std::vector<Op> ops;
  ops.push_back(f::norm("final_norm", m.norm, c.sp_tokens(), m.hidden, false));
  Op head = f::gemm("head", {c.tokens, v, m.hidden}, {.fp8 = false});  // the head stays BF16 (R17)
  if (m.tie_embeddings) head.params = 0;  // the embedding owns the shared matrix
  ops.push_back(std::move(head));
  ops.push_back(f::cross_entropy("loss", c.tokens, v));
  return ops;
}

std::vector<Op> mtp_input_ops(const ModelSpec& m, const OpContext& c) {
  const std::int64_t t = c.tokens, d = m.hidden;
  std::vector<Op> ops;
  ops.push_back(f::norm("mtp.hnorm", m.norm, t, d, c.partial()));
  ops.push_back(f::norm("mtp.enorm", m.norm, t, d, c.partial()));
  push_gemm(ops, f::gemm("mtp.eh_proj", {t, d, 2 * d}, {.fp8 = c.fp8(), .save_input = !c.partial()}));
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
