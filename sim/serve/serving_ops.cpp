#include "sim/serve/serving_ops.h"

#include <cmath>
#include <string>

#include "sim/core/error.h"
#include "sim/model/expert_ops.h"
#include "sim/model/layer_ops.h"
#include "sim/model/op_factory.h"

namespace deepsim {
namespace {

namespace f = op_factory;

void push_fp8_gemm(std::vector<Op>& ops, const std::string& name, GemmShape s) {
  ops.push_back(f::fp8_casts(name + ".cast", s.m, s.n, s.k, false));
  ops.push_back(f::gemm(name, s, {.fp8 = true}));
}

// Core decode attention: s_q query tokens per request over kv_tokens cached tokens; K of width d_qk, V
// of width d_v, heads h (all sharing one latent cache for MLA). FLOPs 2 x s_q x h x L x (d_qk + d_v)
// per request; bytes: the cache read once per request (all heads and query tokens share it), Q and O.
Op decode_core_attention(std::int64_t requests, int s_q, std::int64_t heads, double kv_tokens, double d_qk,
                         double d_v, double cache_bytes_per_token) {
  Op op;
  op.name = "attention.decode";
  op.kind = OpKind::kAttention;
  const double r = static_cast<double>(requests), q = static_cast<double>(s_q), h = static_cast<double>(heads);
  op.fwd = Flops(2 * r * q * h * kv_tokens * (d_qk + d_v));
  op.fwd_bytes = Bytes(r * kv_tokens * cache_bytes_per_token + f::kBf16Bytes * r * q * h * (d_qk + d_v));
  return op;
}

}  // namespace

std::vector<Op> prefill_attention_ops(const ModelSpec& m, const PrefillAttentionShape& s) {
  DEEPSIM_ASSERT(s.tokens > 0 && s.new_tokens > 0, "prefill attention has new tokens");
  // The training block as one sequence of the micro-batch's tokens; its core attention is replaced below.
  const OpContext c{.tokens = s.tokens, .seq_len = static_cast<int>(s.tokens), .tp = s.tp, .precision = Precision::kFp8,
                    .causal = true, .recompute = RecomputeMode::kNone};
  std::vector<Op> ops = attention_ops(m, c);
  const AttentionSpec& a = m.attention;
  const double h = static_cast<double>(a.heads / s.tp);
  const double d_qk = a.kind == AttentionKind::kMla ? a.qk_nope_head_dim + a.qk_rope_head_dim : a.head_dim;
  const double d_v = a.kind == AttentionKind::kMla ? a.v_head_dim : a.head_dim;
  for (Op& op : ops) {
    if (op.kind != OpKind::kAttention) continue;
    const double pairs = static_cast<double>(s.tokens) * h * (s.prefix_tokens + s.new_tokens / 2);
    op.fwd = Flops(2 * pairs * (d_qk + d_v));
  }
  // MLA re-materialises K and V of the cached prefix from its latent (kv_b on the prefix tokens).
  if (a.kind == AttentionKind::kMla && s.prefix_tokens > 0) {
    const auto prefix = static_cast<std::int64_t>(std::llround(static_cast<double>(s.tokens) * s.prefix_tokens / s.new_tokens));
    if (prefix > 0)
      push_fp8_gemm(ops, "mla.kv_b.prefix", {prefix, (a.heads / s.tp) * (a.qk_nope_head_dim + a.v_head_dim), a.kv_lora_rank});
  }
  return ops;
}

std::vector<Op> decode_attention_ops(const ModelSpec& m, const DecodeAttentionShape& s) {
  DEEPSIM_ASSERT(s.requests > 0 && s.query_tokens >= 1 && s.tp >= 1, "decode attention shape");
  const AttentionSpec& a = m.attention;
  const std::int64_t t = s.requests * s.query_tokens, d = m.hidden, h = a.heads / s.tp;
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("attn_norm", t, d, false));
  if (a.kind == AttentionKind::kGqa) {
    const std::int64_t kvh = std::max<std::int64_t>(1, a.kv_heads / s.tp), hd = a.head_dim;
    push_fp8_gemm(ops, "gqa.qkv", {t, (h + 2 * kvh) * hd, d});
    ops.push_back(f::rope("gqa.rope", t, h, kvh, hd));
    ops.push_back(decode_core_attention(s.requests, s.query_tokens, h, s.kv_tokens, hd, hd, s.kv_bytes_per_token_layer));
    push_fp8_gemm(ops, "gqa.o_proj", {t, d, h * hd});
    ops.push_back(f::residual_add("attn_residual", t, d));
    return ops;
  }
  const std::int64_t kv_a_n = a.kv_lora_rank + a.qk_rope_head_dim;
  const std::int64_t d_qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
  if (a.q_lora_rank > 0) {
    push_fp8_gemm(ops, "mla.qkv_a", {t, a.q_lora_rank + kv_a_n, d});
    ops.push_back(f::rms_norm("mla.q_a_norm", t, a.q_lora_rank, false));
    push_fp8_gemm(ops, "mla.q_b", {t, h * d_qk, a.q_lora_rank});
  } else {
    push_fp8_gemm(ops, "mla.kv_a", {t, kv_a_n, d});
    push_fp8_gemm(ops, "mla.q", {t, h * d_qk, d});
  }
  ops.push_back(f::rms_norm("mla.kv_a_norm", t, a.kv_lora_rank, false));
  ops.push_back(f::rope("mla.rope", t, h, 1, a.qk_rope_head_dim));
  // Absorbed W_UK: per head, q_nope [t x d_nope] -> latent [t x d_c]; BF16 (core MLA stays BF16, day 6).
  const std::vector<std::int64_t> per_head(static_cast<std::size_t>(h), t);
  ops.push_back(f::grouped_gemm("mla.absorb_uk", per_head, a.kv_lora_rank, a.qk_nope_head_dim, false));
  ops.push_back(decode_core_attention(s.requests, s.query_tokens, h, s.kv_tokens, kv_a_n, a.kv_lora_rank,
                                      s.kv_bytes_per_token_layer));
  ops.push_back(f::grouped_gemm("mla.absorb_uv", per_head, a.v_head_dim, a.kv_lora_rank, false));
  push_fp8_gemm(ops, "mla.o_proj", {t, d, h * a.v_head_dim});
  ops.push_back(f::residual_add("attn_residual", t, d));
  return ops;
}

std::vector<Op> ffn_ops(const ModelSpec& m, int layer, std::int64_t tokens, int ep, int slots) {
  const OpContext c{.tokens = tokens, .seq_len = 1, .tp = 1, .precision = Precision::kFp8, .causal = true, .recompute = RecomputeMode::kNone};
  if (!m.is_moe_layer(layer)) return dense_ffn_ops(m, c);
  DEEPSIM_ASSERT(ep >= 1 && slots % ep == 0, "expert slots divide over ep");
  const MoeSpec& e = m.moe;
  const std::int64_t d = m.hidden;
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("ffn_norm", tokens, d, false));
  ops.push_back(f::router("moe.router", tokens, e.routed_experts, d, e.router_bias));
  // Training runs the top-k as ~30 small kernels (profile-data train.json); serving fuses the gate into
  // one kernel (and replays the step as a CUDA graph), so one launch is charged.
  Op topk = f::router_topk("moe.router_topk", tokens, e.routed_experts, e.top_k);
  topk.fwd_launches = 1;
  ops.push_back(std::move(topk));
  if (e.shared_experts > 0) {
    const std::int64_t inter = std::int64_t{e.shared_experts} * e.expert_intermediate;
    push_fp8_gemm(ops, "moe.shared.gate_up", {tokens, 2 * inter, d});
    ops.push_back(f::swiglu("moe.shared.swiglu", tokens, inter, true, false));
    ops.push_back(f::gemm("moe.shared.down", {tokens, d, inter}, {.fp8 = true}));
  }
  // Balanced routing over the EP group: tokens x top_k x ep routed copies over `slots` slots.
  const double per_slot = static_cast<double>(tokens) * e.top_k * ep / slots;
  const std::vector<std::int64_t> counts(static_cast<std::size_t>(slots / ep), std::llround(per_slot));
  for (Op& op : grouped_expert_ops(m, counts, c)) ops.push_back(std::move(op));
  ops.push_back(f::combine("moe.combine", tokens, e.top_k, d));
  ops.push_back(f::residual_add("ffn_residual", tokens, d));
  return ops;
}

std::vector<Op> serving_head_ops(const ModelSpec& m, std::int64_t tokens) {
  std::vector<Op> ops;
  ops.push_back(f::rms_norm("final_norm", tokens, m.hidden, false));
  ops.push_back(f::gemm("head", {tokens, m.vocab, m.hidden}, {.fp8 = false}));
  return ops;
}

}  // namespace deepsim
