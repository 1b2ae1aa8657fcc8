// The CPU reference transformer block: pre-norm residual MLA attention, then a pre-norm dense FFN or MoE.
#include "cpu_block_parts.h"
#include "runtime/cpu_layer.h"

namespace deepsim::runtime::cpu {

const float* BlockContext::w(ParamKind k) const {
  const ParamEntry& e = layout->at(k, layer);
  return params[static_cast<int>(e.group)].data() + e.offset;
}

float* BlockContext::g(ParamKind k) const {
  if (grads == nullptr) return nullptr;
  const ParamEntry& e = layout->at(k, layer);
  return grads[static_cast<int>(e.group)].data() + e.offset;
}

Vec block_forward(const BlockContext& ctx, const Vec& x, BlockCache& cache) {
  const ModelConfig& m = *ctx.model;
  const int t = ctx.tokens();
  cache.x_mid = x;
  add_into(cache.x_mid, attention_forward(ctx, x, cache.attn));
  cache.h2 = rmsnorm_forward(cache.x_mid, ctx.w(ParamKind::kFfnNorm), t, m.hidden);
  cache.moe = ctx.layout->find(ParamKind::kGate, ctx.layer) >= 0;
  Vec out = cache.x_mid;
  if (cache.moe) {
    add_into(out, moe_forward(ctx, cache.h2, cache.moe_cache));
  } else {
    add_into(out, mlp_forward(cache.h2, ctx.w(ParamKind::kW13), ctx.w(ParamKind::kW2), t, m.hidden,
                              m.dense_intermediate, cache.ffn));
  }
  return out;
}

Vec block_backward(const BlockContext& ctx, const BlockCache& cache, const Vec& dout) {
  const ModelConfig& m = *ctx.model;
  const int t = ctx.tokens();
  const Vec dh2 = cache.moe ? moe_backward(ctx, cache.moe_cache, dout)
                            : mlp_backward(cache.ffn, dout, ctx.w(ParamKind::kW13), ctx.w(ParamKind::kW2),
                                           ctx.g(ParamKind::kW13), ctx.g(ParamKind::kW2), t, m.hidden,
                                           m.dense_intermediate);
  Vec dmid = dout;
  add_into(dmid, rmsnorm_backward(cache.x_mid, ctx.w(ParamKind::kFfnNorm), dh2, ctx.g(ParamKind::kFfnNorm), t, m.hidden));
  Vec dx = dmid;
  add_into(dx, attention_backward(ctx, cache.attn, dmid));
  return dx;
}

}  // namespace deepsim::runtime::cpu
