// The CPU reference model (see cpu_model.h). Loss of a micro-batch of T tokens:
//   L = mean_t CE(head(norm(x_L))_t, tok_{t+1}) + lambda * mean_t CE(head(norm_mtp(B(P [enorm(E tok_{t+1}) |
//       hnorm(x_L)])))_t, tok_{t+2})       (MTP depth 1, TR 2.2; embedding and head shared with the main model)
#include "runtime/cpu_model.h"

#include <algorithm>

#include "kernels/cpu_ref_layer.h"
#include "kernels/rope.h"
#include "runtime/cpu_layer.h"
#include "runtime/param_init.h"

namespace deepsim::runtime {
using cpu::Vec;

namespace {

struct Inputs {
  std::vector<std::int32_t> input, target, mtp_input, mtp_target, positions;
};

Inputs split_tokens(const MicroBatchTokens& mb, int mtp_depth) {
  const int row = mb.seq_len + 1 + mtp_depth;
  Inputs in;
  for (int s = 0; s < mb.sequences; ++s)
    for (int i = 0; i < mb.seq_len; ++i) {
      const std::int32_t* r = mb.tokens.data() + static_cast<std::size_t>(s) * row;
      in.input.push_back(r[i]);
      in.target.push_back(r[i + 1]);
      in.positions.push_back(i);
      if (mtp_depth > 0) {
        in.mtp_input.push_back(r[i + 1]);
        in.mtp_target.push_back(r[i + 2]);
      }
    }
  return in;
}

}  // namespace

CpuModel::CpuModel(const ModelConfig& m, std::uint64_t seed, float init_std)
    : m_(m), layout_(m, full_model_shard(m)) {
  init_params(layout_, seed, init_std, params_);
  zero_grads();
  for (int l = 0; l < m.layers + m.mtp_depth; ++l)
    if (layout_.find(ParamKind::kGate, l) >= 0) moe_layers_.push_back(l);
  router_bias_.assign(moe_layers_.size(), std::vector<float>(static_cast<std::size_t>(m.routed_experts), 0.f));
}

void CpuModel::zero_grads() {
  for (int g = 0; g < kParamGroups; ++g) grads_[g].assign(params_[g].size(), 0.f);
}

CpuLoss CpuModel::forward_backward(const MicroBatchTokens& mb, float mtp_lambda, double grad_weight, bool backward) {
  const Inputs in = split_tokens(mb, m_.mtp_depth);
  const int t = mb.sequences * mb.seq_len;
  const int hd = m_.hidden;
  const std::vector<float> cos_sin = kernels::rope_cos_sin_table(mb.seq_len, m_.qk_rope);
  auto ptr = [&](std::vector<float>* bufs, ParamKind k, int layer) {
    const ParamEntry& e = layout_.at(k, layer);
    return bufs[static_cast<int>(e.group)].data() + e.offset;
  };
  auto gptr = [&](ParamKind k, int layer) { return backward ? ptr(grads_, k, layer) : nullptr; };
  auto context = [&](int layer) {
    cpu::BlockContext c;
    c.model = &m_;
    c.layout = &layout_;
    c.params = params_;
    c.grads = backward ? grads_ : nullptr;
    const auto slot = std::find(moe_layers_.begin(), moe_layers_.end(), layer);
    c.router_bias = slot == moe_layers_.end() ? nullptr : &router_bias_[static_cast<std::size_t>(slot - moe_layers_.begin())];
    c.layer = layer;
    c.batch = mb.sequences;
    c.seq_len = mb.seq_len;
    c.positions = &in.positions;
    c.cos_sin = &cos_sin;
    return c;
  };
  const float* embed = ptr(params_, ParamKind::kEmbed, -1);
  const float* head = ptr(params_, ParamKind::kHead, -1);
  // Forward through the trunk.
  std::vector<cpu::BlockCache> caches(static_cast<std::size_t>(m_.layers + m_.mtp_depth));
  Vec x = cpu::embedding_forward(embed, in.input, hd);
  for (int l = 0; l < m_.layers; ++l) x = cpu::block_forward(context(l), x, caches[static_cast<std::size_t>(l)]);
  CpuLoss out;
  // Main head: CE with gradient scale grad_weight / T (mean over the micro-batch's tokens).
  const Vec hf = cpu::rmsnorm_forward(x, ptr(params_, ParamKind::kFinalNorm, -1), t, hd);
  const Vec logits = cpu::linear_forward(hf, head, t, hd, m_.vocab);
  Vec loss_rows;
  Vec dlogits;
  kernels::cross_entropy_reference(logits, in.target, t, m_.vocab, static_cast<float>(grad_weight / t), loss_rows, dlogits);
  for (float v : loss_rows) out.main += v;
  out.main /= t;
  // MTP module (depth 1).
  Vec e, en, hn, cat, hm, hmo, hmf, dlogits2;
  const int ml = m_.layers;
  if (m_.mtp_depth > 0) {
    e = cpu::embedding_forward(embed, in.mtp_input, hd);
    en = cpu::rmsnorm_forward(e, ptr(params_, ParamKind::kMtpENorm, ml), t, hd);
    hn = cpu::rmsnorm_forward(x, ptr(params_, ParamKind::kMtpHNorm, ml), t, hd);
    cat.assign(static_cast<std::size_t>(t) * 2 * hd, 0.f);
    cpu::add_cols(cat, t, 2 * hd, 0, hd, en);
    cpu::add_cols(cat, t, 2 * hd, hd, hd, hn);
    hm = cpu::linear_forward(cat, ptr(params_, ParamKind::kMtpProj, ml), t, 2 * hd, hd);
    hmo = cpu::block_forward(context(ml), hm, caches[static_cast<std::size_t>(ml)]);
    hmf = cpu::rmsnorm_forward(hmo, ptr(params_, ParamKind::kFinalNorm, ml), t, hd);
    const Vec logits2 = cpu::linear_forward(hmf, head, t, hd, m_.vocab);
    Vec loss2;
    kernels::cross_entropy_reference(logits2, in.mtp_target, t, m_.vocab,
                                     static_cast<float>(grad_weight * mtp_lambda / t), loss2, dlogits2);
    for (float v : loss2) out.mtp += v;
    out.mtp /= t;
  }
  out.loss = out.main + static_cast<double>(mtp_lambda) * out.mtp;
  out.expert_load.assign(moe_layers_.size() * static_cast<std::size_t>(m_.routed_experts), 0);
  for (std::size_t s = 0; s < moe_layers_.size(); ++s)
    for (std::int32_t id : caches[static_cast<std::size_t>(moe_layers_[s])].moe_cache.idx) {
      out.routing.push_back(id);
      ++out.expert_load[s * static_cast<std::size_t>(m_.routed_experts) + static_cast<std::size_t>(id)];
    }
  if (!backward) return out;
  // Backward.
  Vec dx = cpu::rmsnorm_backward(x, ptr(params_, ParamKind::kFinalNorm, -1),
                                 cpu::linear_backward(hf, dlogits, head, gptr(ParamKind::kHead, -1), t, hd, m_.vocab),
                                 gptr(ParamKind::kFinalNorm, -1), t, hd);
  if (m_.mtp_depth > 0) {
    const Vec dhmf = cpu::linear_backward(hmf, dlogits2, head, gptr(ParamKind::kHead, -1), t, hd, m_.vocab);
    const Vec dhmo = cpu::rmsnorm_backward(hmo, ptr(params_, ParamKind::kFinalNorm, ml), dhmf,
                                           gptr(ParamKind::kFinalNorm, ml), t, hd);
    const Vec dhm = cpu::block_backward(context(ml), caches[static_cast<std::size_t>(ml)], dhmo);
    const Vec dcat = cpu::linear_backward(cat, dhm, ptr(params_, ParamKind::kMtpProj, ml), gptr(ParamKind::kMtpProj, ml),
                                          t, 2 * hd, hd);
    const Vec den = cpu::slice_cols(dcat, t, 2 * hd, 0, hd);
    const Vec dhn = cpu::slice_cols(dcat, t, 2 * hd, hd, hd);
    const Vec de = cpu::rmsnorm_backward(e, ptr(params_, ParamKind::kMtpENorm, ml), den, gptr(ParamKind::kMtpENorm, ml), t, hd);
    cpu::embedding_backward(gptr(ParamKind::kEmbed, -1), in.mtp_input, de, hd);
    cpu::add_into(dx, cpu::rmsnorm_backward(x, ptr(params_, ParamKind::kMtpHNorm, ml), dhn,
                                            gptr(ParamKind::kMtpHNorm, ml), t, hd));
  }
  for (int l = m_.layers - 1; l >= 0; --l) dx = cpu::block_backward(context(l), caches[static_cast<std::size_t>(l)], dx);
  cpu::embedding_backward(gptr(ParamKind::kEmbed, -1), in.input, dx, hd);
  return out;
}

void CpuModel::update_router_bias(const std::vector<long>& expert_load, float speed) {
  if (!m_.router_bias) return;
  const auto e_count = static_cast<std::size_t>(m_.routed_experts);
  for (std::size_t s = 0; s < router_bias_.size(); ++s) {
    double mean = 0.0;
    for (std::size_t e = 0; e < e_count; ++e) mean += static_cast<double>(expert_load[s * e_count + e]);
    mean /= static_cast<double>(e_count);
    for (std::size_t e = 0; e < e_count; ++e) {
      const double load = static_cast<double>(expert_load[s * e_count + e]);
      router_bias_[s][e] += speed * static_cast<float>((mean > load) - (mean < load));
    }
  }
}

}  // namespace deepsim::runtime
