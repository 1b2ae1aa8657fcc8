// Output head, loss and the MTP module of the last stage (see gpu_model.h). The cross-entropy kernel
// overwrites the logits with their gradient in the forward pass, scaled so that gradients summed over the
// step's micro-batches and dp ranks are those of the mean loss; the backward reads them.
#include "kernels/cross_entropy.h"
#include "kernels/rmsnorm.h"
#include "runtime/gpu_model.h"
#include "runtime/gpu_ops.h"

namespace deepsim::runtime {
namespace k = deepsim::kernels;

namespace {
float mean_scale(const ExecConfig& c) {
  return 1.f / static_cast<float>(static_cast<long>(c.parallel.micro_batches) * c.parallel.dp * c.tokens_per_micro_batch());
}
}  // namespace

void GpuStage::head_forward(MicroBatchState& st, int mb, const bf16* x_last) {
  const int h = c_.cfg->model.hidden;
  const int v = c_.cfg->model.vocab;
  const auto t = static_cast<std::size_t>(tokens_);
  bf16* hf = st.acts.get<bf16>("head.hf", t * h);
  float* rstd = st.acts.get<float>("head.rstd", t);
  bf16* logits = st.acts.get<bf16>("head.dlogits", t * v);
  {
    const ScopedTag s(*c_.tagger, tag(-1, "final_norm", mb, 'F', "memory_bound"));
    k::rmsnorm_forward({x_last, w(ParamKind::kFinalNorm, -1), hf, rstd, h, h, tokens_, h}, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(-1, "head", mb, 'F', "gemm", tokens_, v, h));
    c_.gemm->forward(hf, w(ParamKind::kHead, -1), logits, {tokens_, h, v}, false, c_.stream);
  }
  check(logits, static_cast<long>(t) * v, -1, "head");
  const ScopedTag s(*c_.tagger, tag(-1, "loss", mb, 'F', "memory_bound"));
  k::cross_entropy_forward_backward({logits, st.acts.get<std::int32_t>("tok.tgt", t), st.acts.get<float>("loss", t),
                                     tokens_, v, mean_scale(*c_.cfg)},
                                    c_.stream);
}

void GpuStage::head_backward(MicroBatchState& st, int mb, bf16* dx_last) {
  const int h = c_.cfg->model.hidden;
  const int v = c_.cfg->model.vocab;
  const auto t = static_cast<std::size_t>(tokens_);
  const bf16* dlogits = st.acts.get<bf16>("head.dlogits", t * v);
  const bf16* hf = st.acts.get<bf16>("head.hf", t * h);
  bf16* dhf = c_.scratch->get<bf16>("head.dhf", t * h);
  {
    const ScopedTag s(*c_.tagger, tag(-1, "head", mb, 'B', "gemm", tokens_, h, v));
    c_.gemm->backward_data(dlogits, w(ParamKind::kHead, -1), dhf, {tokens_, h, v}, false, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(-1, "head", mb, 'W', "gemm", v, h, tokens_));
    c_.gemm->backward_weight(dlogits, hf, g(ParamKind::kHead, -1), {tokens_, h, v}, false, c_.stream);
  }
  const int last = c_.layout->shard().last_layer;
  const ScopedTag s(*c_.tagger, tag(-1, "final_norm", mb, 'B', "memory_bound"));
  norm_backward(st, st.acts.get<bf16>("x." + std::to_string(last), t * h), h, ParamKind::kFinalNorm, -1, dhf, h,
                st.acts.get<float>("head.rstd", t), dx_last, h, tokens_, h);
}

void GpuStage::mtp_forward(MicroBatchState& st, int mb, const bf16* x_last) {
  const int h = c_.cfg->model.hidden;
  const int v = c_.cfg->model.vocab;
  const int L = c_.cfg->model.layers;
  const auto t = static_cast<std::size_t>(tokens_);
  bf16* e = st.acts.get<bf16>("mtp.e", t * h);
  bf16* cat = st.acts.get<bf16>("mtp.cat", t * 2 * h);
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.enorm", mb, 'F', "memory_bound"));
    gpu::embedding_gather(w(ParamKind::kEmbed, -1), st.acts.get<std::int32_t>("tok.mtp_in", t), e, tokens_, h, c_.stream);
    k::rmsnorm_forward({e, w(ParamKind::kMtpENorm, L), cat, st.acts.get<float>("mtp.rstd_e", t), h, 2L * h, tokens_, h},
                       c_.stream);
    k::rmsnorm_forward({x_last, w(ParamKind::kMtpHNorm, L), cat + h, st.acts.get<float>("mtp.rstd_h", t), h, 2L * h,
                        tokens_, h},
                       c_.stream);
  }
  bf16* hm = st.acts.get<bf16>("mtp.x", t * h);  // not "x.<L>": that is the trunk output when L = layers
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.eh_proj", mb, 'F', "gemm", tokens_, h, 2L * h));
    c_.gemm->forward(cat, w(ParamKind::kMtpProj, L), hm, {tokens_, 2 * h, h}, true, c_.stream);
  }
  bf16* hmo = st.acts.get<bf16>("mtp.xo", t * h);
  block_forward(st, L, mb, hm, hmo);
  bf16* hmf = st.acts.get<bf16>("mtp.hf", t * h);
  bf16* logits = st.acts.get<bf16>("mtp.dlogits", t * v);
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.final_norm", mb, 'F', "memory_bound"));
    k::rmsnorm_forward({hmo, w(ParamKind::kFinalNorm, L), hmf, st.acts.get<float>("mtp.rstd_f", t), h, h, tokens_, h},
                       c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.head", mb, 'F', "gemm", tokens_, v, h));
    c_.gemm->forward(hmf, w(ParamKind::kHead, -1), logits, {tokens_, h, v}, false, c_.stream);
  }
  const ScopedTag s(*c_.tagger, tag(L, "mtp.loss", mb, 'F', "memory_bound"));
  k::cross_entropy_forward_backward({logits, st.acts.get<std::int32_t>("tok.mtp_tgt", t), st.acts.get<float>("loss_mtp", t),
                                     tokens_, v, c_.cfg->exec.mtp_lambda * mean_scale(*c_.cfg)},
                                    c_.stream);
}

void GpuStage::mtp_backward(MicroBatchState& st, int mb, bf16* dx_last) {
  const int h = c_.cfg->model.hidden;
  const int v = c_.cfg->model.vocab;
  const int L = c_.cfg->model.layers;
  const auto t = static_cast<std::size_t>(tokens_);
  bf16* dhf = c_.scratch->get<bf16>("mtp.dhf", t * h);
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.head", mb, 'B', "gemm", tokens_, h, v));
    c_.gemm->backward_data(st.acts.get<bf16>("mtp.dlogits", t * v), w(ParamKind::kHead, -1), dhf, {tokens_, h, v}, false,
                           c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.head", mb, 'W', "gemm", v, h, tokens_));
    c_.gemm->backward_weight(st.acts.get<bf16>("mtp.dlogits", t * v), st.acts.get<bf16>("mtp.hf", t * h),
                             g(ParamKind::kHead, -1), {tokens_, h, v}, false, c_.stream);
  }
  bf16* dhmo = c_.scratch->get<bf16>("mtp.dhmo", t * h);
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.final_norm", mb, 'B', "memory_bound"));
    norm_backward(st, st.acts.get<bf16>("mtp.xo", t * h), h, ParamKind::kFinalNorm, L, dhf, h,
                  st.acts.get<float>("mtp.rstd_f", t), dhmo, h, tokens_, h);
  }
  bf16* dhm = c_.scratch->get<bf16>("mtp.dhm", t * h);
  block_backward(st, L, mb, dhmo, dhm);
  bf16* dcat = c_.scratch->get<bf16>("mtp.dcat", t * 2 * h);
  const bf16* cat = st.acts.get<bf16>("mtp.cat", t * 2 * h);
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.eh_proj", mb, 'B', "gemm", tokens_, 2L * h, h));
    c_.gemm->backward_data(dhm, w(ParamKind::kMtpProj, L), dcat, {tokens_, 2 * h, h}, true, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(L, "mtp.eh_proj", mb, 'W', "gemm", h, 2L * h, tokens_));
    c_.gemm->backward_weight(dhm, cat, g(ParamKind::kMtpProj, L), {tokens_, 2 * h, h}, true, c_.stream);
  }
  const ScopedTag s(*c_.tagger, tag(L, "mtp.enorm", mb, 'B', "memory_bound"));
  bf16* de = c_.scratch->get<bf16>("mtp.de", t * h);
  norm_backward(st, st.acts.get<bf16>("mtp.e", t * h), h, ParamKind::kMtpENorm, L, dcat, 2L * h,
                st.acts.get<float>("mtp.rstd_e", t), de, h, tokens_, h);
  gpu::embedding_scatter_add(g(ParamKind::kEmbed, -1), st.acts.get<std::int32_t>("tok.mtp_in", t), de, tokens_, h, c_.stream);
  bf16* dxh = c_.scratch->get<bf16>("mtp.dxh", t * h);
  const int last = c_.layout->shard().last_layer;
  norm_backward(st, st.acts.get<bf16>("x." + std::to_string(last), t * h), h, ParamKind::kMtpHNorm, L, dcat + h, 2L * h,
                st.acts.get<float>("mtp.rstd_h", t), dxh, h, tokens_, h);
  gpu::add(dx_last, dxh, dx_last, static_cast<long>(t) * h, c_.stream);
}

}  // namespace deepsim::runtime
