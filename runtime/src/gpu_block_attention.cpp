// MLA attention of a GPU block, forward and backward: the CPU reference's equations (cpu_layer_attention.cpp)
// on the kernels library. kv_a's output [T][kv_lora + rope] is normalised in place by stride (latent) and
// rotated in place (k_rope), as attention_mla_glue.h lays out.
#include <cmath>

#include "kernels/attention.h"
#include "kernels/attention_mla_glue.h"
#include "kernels/rmsnorm.h"
#include "kernels/rope.h"
#include "runtime/gpu_model.h"
#include "runtime/gpu_ops.h"

namespace deepsim::runtime {
namespace k = deepsim::kernels;

namespace {
std::string key(int layer, const char* name) { return "L" + std::to_string(layer) + "." + name; }
}  // namespace

void GpuStage::attention_forward(MicroBatchState& st, int l, int mb, const bf16* x, bf16* x_mid) {
  const ModelConfig& m = c_.cfg->model;
  const auto t = static_cast<std::size_t>(tokens_);
  const int hd = m.hidden;
  const int qk = m.heads * k::kMlaQkHeadDim;
  const int kva_cols = m.kv_lora_rank + m.qk_rope;
  const int kvb_cols = m.heads * (m.qk_nope + m.v_dim);
  const std::int32_t* pos = st.acts.get<std::int32_t>("tok.pos", t);
  bf16* h = st.acts.get<bf16>(key(l, "h"), t * hd);
  bf16* q = st.acts.get<bf16>(key(l, "q"), t * qk);
  {
    const ScopedTag s(*c_.tagger, tag(l, "attn_norm", mb, 'F', "memory_bound"));
    k::rmsnorm_forward({x, w(ParamKind::kAttnNorm, l), h, st.acts.get<float>(key(l, "rstd1"), t), hd, hd, tokens_, hd},
                       c_.stream);
  }
  if (m.q_lora_rank > 0) {
    bf16* qa = st.acts.get<bf16>(key(l, "qa"), t * m.q_lora_rank);
    bf16* qn = st.acts.get<bf16>(key(l, "qn"), t * m.q_lora_rank);
    {
      const ScopedTag s(*c_.tagger, tag(l, "mla.qkv_a", mb, 'F', "gemm", tokens_, m.q_lora_rank, hd));
      c_.gemm->forward(h, w(ParamKind::kWqA, l), qa, {tokens_, hd, m.q_lora_rank}, true, c_.stream);
    }
    {
      const ScopedTag s(*c_.tagger, tag(l, "mla.q_a_norm", mb, 'F', "memory_bound"));
      k::rmsnorm_forward({qa, w(ParamKind::kQNorm, l), qn, st.acts.get<float>(key(l, "rstd_q"), t), m.q_lora_rank,
                          m.q_lora_rank, tokens_, m.q_lora_rank},
                         c_.stream);
    }
    const ScopedTag s(*c_.tagger, tag(l, "mla.q_b", mb, 'F', "gemm", tokens_, qk, m.q_lora_rank));
    c_.gemm->forward(qn, w(ParamKind::kWqB, l), q, {tokens_, m.q_lora_rank, qk}, true, c_.stream);
  } else {
    const ScopedTag s(*c_.tagger, tag(l, "mla.q", mb, 'F', "gemm", tokens_, qk, hd));
    c_.gemm->forward(h, w(ParamKind::kWq, l), q, {tokens_, hd, qk}, true, c_.stream);
  }
  bf16* kva = st.acts.get<bf16>(key(l, "kva"), t * kva_cols);
  bf16* cn = st.acts.get<bf16>(key(l, "cn"), t * m.kv_lora_rank);
  bf16* kvb = st.acts.get<bf16>(key(l, "kvb"), t * kvb_cols);
  {
    const ScopedTag s(*c_.tagger, tag(l, (c_.cfg->model.q_lora_rank > 0 ? "mla.qkv_a" : "mla.kv_a"), mb, 'F', "gemm", tokens_, kva_cols, hd));
    c_.gemm->forward(h, w(ParamKind::kWkvA, l), kva, {tokens_, hd, kva_cols}, true, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "mla.kv_a_norm", mb, 'F', "memory_bound"));
    k::rmsnorm_forward({kva, w(ParamKind::kKvNorm, l), cn, st.acts.get<float>(key(l, "rstd_kv"), t), kva_cols,
                        m.kv_lora_rank, tokens_, m.kv_lora_rank},
                       c_.stream);
    k::rope_apply({q, qk, k::kMlaQkHeadDim, m.qk_nope, pos, c_.rope_table, tokens_, m.heads, m.qk_rope, seq_len_, false},
                  c_.stream);
    k::rope_apply({kva, kva_cols, 0, m.kv_lora_rank, pos, c_.rope_table, tokens_, 1, m.qk_rope, seq_len_, false}, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "mla.kv_b", mb, 'F', "gemm", tokens_, kvb_cols, m.kv_lora_rank));
    c_.gemm->forward(cn, w(ParamKind::kWkvB, l), kvb, {tokens_, m.kv_lora_rank, kvb_cols}, true, c_.stream);
  }
  bf16* kk = st.acts.get<bf16>(key(l, "k"), t * qk);
  bf16* v = st.acts.get<bf16>(key(l, "v"), t * m.heads * m.v_dim);
  bf16* o = st.acts.get<bf16>(key(l, "o"), t * m.heads * m.v_dim);
  {
    const ScopedTag s(*c_.tagger, tag(l, "attention", mb, 'F', "attention_fwd", tokens_, seq_len_, m.heads));
    k::mla_kv_assemble_forward({kvb, kva + m.kv_lora_rank, kva_cols, kk, v, tokens_, m.heads}, c_.stream);
    k::mla_attention_forward({q, kk, v, o, st.acts.get<float>(key(l, "lse"), t * m.heads), batch_, seq_len_, m.heads,
                              static_cast<float>(1.0 / std::sqrt(static_cast<double>(k::kMlaQkHeadDim)))},
                             c_.stream);
  }
  check(o, static_cast<long>(t) * m.heads * m.v_dim, l, "attention");
  bf16* y = c_.scratch->get<bf16>("attn.out", t * hd);
  const ScopedTag s(*c_.tagger, tag(l, "mla.o_proj", mb, 'F', "gemm", tokens_, hd, m.heads * m.v_dim));
  c_.gemm->forward(o, w(ParamKind::kWo, l), y, {tokens_, m.heads * m.v_dim, hd}, true, c_.stream);
  gpu::add(x, y, x_mid, static_cast<long>(t) * hd, c_.stream);
  check(x_mid, static_cast<long>(t) * hd, l, "mla.o_proj");
}

void GpuStage::attention_backward(MicroBatchState& st, int l, int mb, const bf16* dmid, bf16* dx) {
  const ModelConfig& m = c_.cfg->model;
  const auto t = static_cast<std::size_t>(tokens_);
  const int hd = m.hidden;
  const int qk = m.heads * k::kMlaQkHeadDim;
  const int vo = m.heads * m.v_dim;
  const int kva_cols = m.kv_lora_rank + m.qk_rope;
  const int kvb_cols = m.heads * (m.qk_nope + m.v_dim);
  const std::int32_t* pos = st.acts.get<std::int32_t>("tok.pos", t);
  DeviceArena& sc = *c_.scratch;
  bf16* d_o = sc.get<bf16>("attn.d_o", t * vo);
  {
    const ScopedTag s(*c_.tagger, tag(l, "mla.o_proj", mb, 'B', "gemm", tokens_, vo, hd));
    c_.gemm->backward_data(dmid, w(ParamKind::kWo, l), d_o, {tokens_, vo, hd}, true, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "mla.o_proj", mb, 'W', "gemm", hd, vo, tokens_));
    c_.gemm->backward_weight(dmid, st.acts.get<bf16>(key(l, "o"), t * vo), g(ParamKind::kWo, l), {tokens_, vo, hd}, true,
                             c_.stream);
  }
  bf16* dq = sc.get<bf16>("attn.dq", t * qk);
  bf16* dk = sc.get<bf16>("attn.dk", t * qk);
  bf16* dv = sc.get<bf16>("attn.dv", t * vo);
  bf16* dkvb = sc.get<bf16>("attn.dkvb", t * kvb_cols);
  bf16* dkva = sc.get<bf16>("attn.dkva", t * kva_cols);
  {
    const ScopedTag s(*c_.tagger, tag(l, "attention", mb, 'B', "attention_bwd", tokens_, seq_len_, m.heads));
    k::mla_attention_backward({st.acts.get<bf16>(key(l, "q"), t * qk), st.acts.get<bf16>(key(l, "k"), t * qk),
                               st.acts.get<bf16>(key(l, "v"), t * vo), st.acts.get<bf16>(key(l, "o"), t * vo), d_o,
                               st.acts.get<float>(key(l, "lse"), t * m.heads), sc.get<float>("attn.delta", t * m.heads),
                               dq, dk, dv, batch_, seq_len_, m.heads,
                               static_cast<float>(1.0 / std::sqrt(static_cast<double>(k::kMlaQkHeadDim)))},
                              c_.stream);
    k::mla_kv_assemble_backward({dk, dv, dkvb, dkva + m.kv_lora_rank, kva_cols, tokens_, m.heads}, c_.stream);
    k::rope_apply({dkva, kva_cols, 0, m.kv_lora_rank, pos, c_.rope_table, tokens_, 1, m.qk_rope, seq_len_, true}, c_.stream);
    k::rope_apply({dq, qk, k::kMlaQkHeadDim, m.qk_nope, pos, c_.rope_table, tokens_, m.heads, m.qk_rope, seq_len_, true},
                  c_.stream);
  }
  check(dq, static_cast<long>(t) * qk, l, "attention");
  bf16* dcn = sc.get<bf16>("attn.dcn", t * m.kv_lora_rank);
  {
    const ScopedTag s(*c_.tagger, tag(l, "mla.kv_b", mb, 'B', "gemm", tokens_, m.kv_lora_rank, kvb_cols));
    c_.gemm->backward_data(dkvb, w(ParamKind::kWkvB, l), dcn, {tokens_, m.kv_lora_rank, kvb_cols}, true, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "mla.kv_b", mb, 'W', "gemm", kvb_cols, m.kv_lora_rank, tokens_));
    c_.gemm->backward_weight(dkvb, st.acts.get<bf16>(key(l, "cn"), t * m.kv_lora_rank), g(ParamKind::kWkvB, l),
                             {tokens_, m.kv_lora_rank, kvb_cols}, true, c_.stream);
  }
  const bf16* h = st.acts.get<bf16>(key(l, "h"), t * hd);
  {
    const ScopedTag s(*c_.tagger, tag(l, "mla.kv_a_norm", mb, 'B', "memory_bound"));
    // dx of the latent lands in dkva's first kv_lora columns; its rope columns hold dk_rope already.
    norm_backward(st, st.acts.get<bf16>(key(l, "kva"), t * kva_cols), kva_cols, ParamKind::kKvNorm, l, dcn,
                  m.kv_lora_rank, st.acts.get<float>(key(l, "rstd_kv"), t), dkva, kva_cols, tokens_, m.kv_lora_rank);
  }
  bf16* dh = sc.get<bf16>("attn.dh", t * hd);
  bf16* dh_q = sc.get<bf16>("attn.dh_q", t * hd);
  {
    const ScopedTag s(*c_.tagger, tag(l, (c_.cfg->model.q_lora_rank > 0 ? "mla.qkv_a" : "mla.kv_a"), mb, 'B', "gemm", tokens_, hd, kva_cols));
    c_.gemm->backward_data(dkva, w(ParamKind::kWkvA, l), dh, {tokens_, hd, kva_cols}, true, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, (c_.cfg->model.q_lora_rank > 0 ? "mla.qkv_a" : "mla.kv_a"), mb, 'W', "gemm", kva_cols, hd, tokens_));
    c_.gemm->backward_weight(dkva, h, g(ParamKind::kWkvA, l), {tokens_, hd, kva_cols}, true, c_.stream);
  }
  if (m.q_lora_rank > 0) {
    const int ql = m.q_lora_rank;
    bf16* dqn = sc.get<bf16>("attn.dqn", t * ql);
    bf16* dqa = sc.get<bf16>("attn.dqa", t * ql);
    {
      const ScopedTag s(*c_.tagger, tag(l, "mla.q_b", mb, 'B', "gemm", tokens_, ql, qk));
      c_.gemm->backward_data(dq, w(ParamKind::kWqB, l), dqn, {tokens_, ql, qk}, true, c_.stream);
    }
    {
      const ScopedTag s(*c_.tagger, tag(l, "mla.q_b", mb, 'W', "gemm", qk, ql, tokens_));
      c_.gemm->backward_weight(dq, st.acts.get<bf16>(key(l, "qn"), t * ql), g(ParamKind::kWqB, l), {tokens_, ql, qk}, true,
                               c_.stream);
    }
    {
      const ScopedTag s(*c_.tagger, tag(l, "mla.q_a_norm", mb, 'B', "memory_bound"));
      norm_backward(st, st.acts.get<bf16>(key(l, "qa"), t * ql), ql, ParamKind::kQNorm, l, dqn, ql,
                    st.acts.get<float>(key(l, "rstd_q"), t), dqa, ql, tokens_, ql);
    }
    {
      const ScopedTag s(*c_.tagger, tag(l, "mla.qkv_a", mb, 'B', "gemm", tokens_, hd, ql));
      c_.gemm->backward_data(dqa, w(ParamKind::kWqA, l), dh_q, {tokens_, hd, ql}, true, c_.stream);
    }
    const ScopedTag s(*c_.tagger, tag(l, "mla.qkv_a", mb, 'W', "gemm", ql, hd, tokens_));
    c_.gemm->backward_weight(dqa, h, g(ParamKind::kWqA, l), {tokens_, hd, ql}, true, c_.stream);
  } else {
    {
      const ScopedTag s(*c_.tagger, tag(l, "mla.q", mb, 'B', "gemm", tokens_, hd, qk));
      c_.gemm->backward_data(dq, w(ParamKind::kWq, l), dh_q, {tokens_, hd, qk}, true, c_.stream);
    }
    const ScopedTag s(*c_.tagger, tag(l, "mla.q", mb, 'W', "gemm", qk, hd, tokens_));
    c_.gemm->backward_weight(dq, h, g(ParamKind::kWq, l), {tokens_, hd, qk}, true, c_.stream);
  }
  const ScopedTag s(*c_.tagger, tag(l, "attn_norm", mb, 'B', "memory_bound"));
  gpu::add(dh, dh_q, dh, static_cast<long>(t) * hd, c_.stream);
  bf16* dx_attn = sc.get<bf16>("attn.dx", t * hd);
  norm_backward(st, st.acts.get<bf16>(key(l, "x_in"), t * hd), hd, ParamKind::kAttnNorm, l, dh, hd,
                st.acts.get<float>(key(l, "rstd1"), t), dx_attn, hd, tokens_, hd);
  gpu::add(dmid, dx_attn, dx, static_cast<long>(t) * hd, c_.stream);
  check(dx, static_cast<long>(t) * hd, l, "attn_norm");
}

}  // namespace deepsim::runtime
