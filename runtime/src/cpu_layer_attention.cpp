// MLA attention of the CPU reference block, forward and backward (DeepSeek-V3 MLA, naive mode):
//   q = wq_b(RMSNorm(wq_a h)) with RoPE on each head's last qk_rope values; kv_a = wkv_a h = (c | k_rope),
//   kv_b = wkv_b RMSNorm(c) = per head (k_nope | v); k = (k_nope | RoPE(k_rope) shared by all heads);
//   o = causal softmax(q k^T / sqrt(d_qk)) v;  out = wo o.
#include <cmath>

#include "kernels/cpu_ref_attention.h"
#include "cpu_block_parts.h"
#include "runtime/cpu_layer.h"

namespace deepsim::runtime::cpu {
namespace k = deepsim::kernels;

namespace {

k::AttentionRefShape attention_shape(const BlockContext& ctx) {
  const ModelConfig& m = *ctx.model;
  k::AttentionRefShape s;
  s.batch = ctx.batch;
  s.seq_len = ctx.seq_len;
  s.heads = m.heads;
  s.d_qk = m.qk_head_dim();
  s.d_v = m.v_dim;
  s.softmax_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(m.qk_head_dim())));
  return s;
}

void rope_q(const BlockContext& ctx, Vec& q, bool inverse) {
  const ModelConfig& m = *ctx.model;
  k::rope_reference(q, ctx.tokens(), m.heads, static_cast<long>(m.heads) * m.qk_head_dim(), m.qk_head_dim(),
                    m.qk_nope, m.qk_rope, *ctx.positions, *ctx.cos_sin, inverse);
}

void rope_k(const BlockContext& ctx, Vec& k_rope, bool inverse) {
  const ModelConfig& m = *ctx.model;
  k::rope_reference(k_rope, ctx.tokens(), 1, m.qk_rope, 0, 0, m.qk_rope, *ctx.positions, *ctx.cos_sin, inverse);
}

}  // namespace

Vec attention_forward(const BlockContext& ctx, const Vec& x, AttentionCache& c) {
  const ModelConfig& m = *ctx.model;
  const int t = ctx.tokens();
  const int hd = m.hidden;
  const int qk_cols = m.heads * m.qk_head_dim();
  const int kvb_cols = m.heads * (m.qk_nope + m.v_dim);
  c.x = x;
  c.h = rmsnorm_forward(x, ctx.w(ParamKind::kAttnNorm), t, hd);
  if (m.q_lora_rank > 0) {
    c.qa = linear_forward(c.h, ctx.w(ParamKind::kWqA), t, hd, m.q_lora_rank);
    c.qn = rmsnorm_forward(c.qa, ctx.w(ParamKind::kQNorm), t, m.q_lora_rank);
    c.q = linear_forward(c.qn, ctx.w(ParamKind::kWqB), t, m.q_lora_rank, qk_cols);
  } else {
    c.q = linear_forward(c.h, ctx.w(ParamKind::kWq), t, hd, qk_cols);
  }
  rope_q(ctx, c.q, false);
  const int kva_cols = m.kv_lora_rank + m.qk_rope;
  c.kva = linear_forward(c.h, ctx.w(ParamKind::kWkvA), t, hd, kva_cols);
  c.c = slice_cols(c.kva, t, kva_cols, 0, m.kv_lora_rank);
  c.cn = rmsnorm_forward(c.c, ctx.w(ParamKind::kKvNorm), t, m.kv_lora_rank);
  Vec k_rope = slice_cols(c.kva, t, kva_cols, m.kv_lora_rank, m.qk_rope);
  rope_k(ctx, k_rope, false);
  c.kvb = linear_forward(c.cn, ctx.w(ParamKind::kWkvB), t, m.kv_lora_rank, kvb_cols);
  // Glue: k = (k_nope | k_rope) per head, v from the second part of each head's kv_b slice.
  c.k.assign(static_cast<std::size_t>(t) * qk_cols, 0.f);
  c.v.assign(static_cast<std::size_t>(t) * m.heads * m.v_dim, 0.f);
  for (int i = 0; i < t; ++i)
    for (int h = 0; h < m.heads; ++h) {
      const float* src = &c.kvb[(static_cast<std::size_t>(i) * m.heads + h) * (m.qk_nope + m.v_dim)];
      float* kd = &c.k[(static_cast<std::size_t>(i) * m.heads + h) * m.qk_head_dim()];
      float* vd = &c.v[(static_cast<std::size_t>(i) * m.heads + h) * m.v_dim];
      for (int d = 0; d < m.qk_nope; ++d) kd[d] = src[d];
      for (int d = 0; d < m.qk_rope; ++d) kd[m.qk_nope + d] = k_rope[static_cast<std::size_t>(i) * m.qk_rope + d];
      for (int d = 0; d < m.v_dim; ++d) vd[d] = src[m.qk_nope + d];
    }
  k::AttentionRefForward f = k::attention_forward_reference(attention_shape(ctx), c.q, c.k, c.v);
  c.o = std::move(f.o);
  c.lse = std::move(f.lse);
  return linear_forward(c.o, ctx.w(ParamKind::kWo), t, m.heads * m.v_dim, hd);
}

Vec attention_backward(const BlockContext& ctx, const AttentionCache& c, const Vec& dout) {
  const ModelConfig& m = *ctx.model;
  const int t = ctx.tokens();
  const int hd = m.hidden;
  const int qk_cols = m.heads * m.qk_head_dim();
  const int kvb_cols = m.heads * (m.qk_nope + m.v_dim);
  const int kva_cols = m.kv_lora_rank + m.qk_rope;
  const Vec d_o = linear_backward(c.o, dout, ctx.w(ParamKind::kWo), ctx.g(ParamKind::kWo), t, m.heads * m.v_dim, hd);
  const k::AttentionRefForward fwd{c.o, c.lse};
  k::AttentionRefGrads ag = k::attention_backward_reference(attention_shape(ctx), c.q, c.k, c.v, fwd, d_o);
  // Glue backward: dkv_b = (dk_nope | dv) per head; dk_rope = sum over heads of dk's rope part.
  Vec dkvb(static_cast<std::size_t>(t) * kvb_cols, 0.f);
  Vec dk_rope(static_cast<std::size_t>(t) * m.qk_rope, 0.f);
  for (int i = 0; i < t; ++i)
    for (int h = 0; h < m.heads; ++h) {
      float* dst = &dkvb[(static_cast<std::size_t>(i) * m.heads + h) * (m.qk_nope + m.v_dim)];
      const float* dk = &ag.dk[(static_cast<std::size_t>(i) * m.heads + h) * m.qk_head_dim()];
      const float* dv = &ag.dv[(static_cast<std::size_t>(i) * m.heads + h) * m.v_dim];
      for (int d = 0; d < m.qk_nope; ++d) dst[d] = dk[d];
      for (int d = 0; d < m.v_dim; ++d) dst[m.qk_nope + d] = dv[d];
      for (int d = 0; d < m.qk_rope; ++d) dk_rope[static_cast<std::size_t>(i) * m.qk_rope + d] += dk[m.qk_nope + d];
    }
  const Vec dcn = linear_backward(c.cn, dkvb, ctx.w(ParamKind::kWkvB), ctx.g(ParamKind::kWkvB), t, m.kv_lora_rank,
                                  kvb_cols);
  const Vec dc = rmsnorm_backward(c.c, ctx.w(ParamKind::kKvNorm), dcn, ctx.g(ParamKind::kKvNorm), t, m.kv_lora_rank);
  rope_k(ctx, dk_rope, true);
  Vec dkva(static_cast<std::size_t>(t) * kva_cols, 0.f);
  add_cols(dkva, t, kva_cols, 0, m.kv_lora_rank, dc);
  add_cols(dkva, t, kva_cols, m.kv_lora_rank, m.qk_rope, dk_rope);
  Vec dh = linear_backward(c.h, dkva, ctx.w(ParamKind::kWkvA), ctx.g(ParamKind::kWkvA), t, hd, kva_cols);
  Vec dq = std::move(ag.dq);
  rope_q(ctx, dq, true);
  if (m.q_lora_rank > 0) {
    const Vec dqn = linear_backward(c.qn, dq, ctx.w(ParamKind::kWqB), ctx.g(ParamKind::kWqB), t, m.q_lora_rank, qk_cols);
    const Vec dqa = rmsnorm_backward(c.qa, ctx.w(ParamKind::kQNorm), dqn, ctx.g(ParamKind::kQNorm), t, m.q_lora_rank);
    add_into(dh, linear_backward(c.h, dqa, ctx.w(ParamKind::kWqA), ctx.g(ParamKind::kWqA), t, hd, m.q_lora_rank));
  } else {
    add_into(dh, linear_backward(c.h, dq, ctx.w(ParamKind::kWq), ctx.g(ParamKind::kWq), t, hd, qk_cols));
  }
  return rmsnorm_backward(c.x, ctx.w(ParamKind::kAttnNorm), dh, ctx.g(ParamKind::kAttnNorm), t, hd);
}

}  // namespace deepsim::runtime::cpu
