// A GPU transformer block (attention half in gpu_block_attention.cpp, MoE in gpu_moe.cpp) and the SwiGLU MLP
// of dense layers and the shared expert.
#include "kernels/rmsnorm.h"
#include "kernels/swiglu.h"
#include "runtime/gpu_model.h"
#include "runtime/gpu_ops.h"

namespace deepsim::runtime {
namespace k = deepsim::kernels;

namespace {
std::string key(int layer, const char* name) { return "L" + std::to_string(layer) + "." + name; }
// Op name of an MLP part: the activation key without its "L<layer>." prefix (the layer is in the tag).
std::string op_of(const std::string& name, const char* part) { return name.substr(name.find('.') + 1) + part; }
}  // namespace

void GpuStage::block_forward(MicroBatchState& st, int l, int mb, const bf16* x, bf16* out) {
  const ModelConfig& m = c_.cfg->model;
  const auto t = static_cast<std::size_t>(tokens_);
  const int hd = m.hidden;
  bf16* x_in = st.acts.get<bf16>(key(l, "x_in"), t * hd);
  DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(x_in, x, t * hd * sizeof(bf16), cudaMemcpyDeviceToDevice, c_.stream));
  bf16* x_mid = st.acts.get<bf16>(key(l, "x_mid"), t * hd);
  attention_forward(st, l, mb, x_in, x_mid);
  bf16* h2 = st.acts.get<bf16>(key(l, "h2"), t * hd);
  {
    const ScopedTag s(*c_.tagger, tag(l, "ffn_norm", mb, 'F', "memory_bound"));
    k::rmsnorm_forward({x_mid, w(ParamKind::kFfnNorm, l), h2, st.acts.get<float>(key(l, "rstd2"), t), hd, hd, tokens_, hd},
                       c_.stream);
  }
  bf16* y = c_.scratch->get<bf16>("ffn.out", t * hd);
  const ScopedTag layer_tag(*c_.tagger, tag(l, "ffn", mb, 'F'));
  if (c_.layout->find(ParamKind::kGate, l) >= 0) {
    moe_forward(st, l, mb, h2, y);
  } else {
    mlp_forward(st, key(l, "ffn"), mb, h2, y, w(ParamKind::kW13, l), w(ParamKind::kW2, l), tokens_, m.dense_intermediate);
  }
  gpu::add(x_mid, y, out, static_cast<long>(t) * hd, c_.stream);
  check(out, static_cast<long>(t) * hd, l, "ffn");
}

void GpuStage::block_backward(MicroBatchState& st, int l, int mb, const bf16* dout, bf16* dx) {
  const ModelConfig& m = c_.cfg->model;
  const auto t = static_cast<std::size_t>(tokens_);
  const int hd = m.hidden;
  bf16* dh2 = c_.scratch->get<bf16>("block.dh2", t * hd);
  const ScopedTag layer_tag(*c_.tagger, tag(l, "ffn", mb, 'B'));
  if (c_.layout->find(ParamKind::kGate, l) >= 0) {
    moe_backward(st, l, mb, dout, dh2);
  } else {
    mlp_backward(st, key(l, "ffn"), mb, dout, dh2, w(ParamKind::kW13, l), w(ParamKind::kW2, l), g(ParamKind::kW13, l),
                 g(ParamKind::kW2, l), tokens_, m.dense_intermediate);
  }
  bf16* dmid = c_.scratch->get<bf16>("block.dmid", t * hd);
  {
    const ScopedTag s(*c_.tagger, tag(l, "ffn_norm", mb, 'B', "memory_bound"));
    norm_backward(st, st.acts.get<bf16>(key(l, "x_mid"), t * hd), hd, ParamKind::kFfnNorm, l, dh2, hd,
                  st.acts.get<float>(key(l, "rstd2"), t), dmid, hd, tokens_, hd);
    gpu::add(dmid, dout, dmid, static_cast<long>(t) * hd, c_.stream);
  }
  attention_backward(st, l, mb, dmid, dx);
}

void GpuStage::mlp_forward(MicroBatchState& st, const std::string& name, int mb, const bf16* h, bf16* y, const bf16* w13,
                           const bf16* w2, int rows, int inter) {
  const int hd = c_.cfg->model.hidden;
  const auto r = static_cast<std::size_t>(rows);
  bf16* h_saved = st.acts.get<bf16>(name + ".h", r * hd);
  bf16* a = st.acts.get<bf16>(name + ".a", r * 2 * inter);
  bf16* z = st.acts.get<bf16>(name + ".z", r * inter);
  DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(h_saved, h, r * hd * sizeof(bf16), cudaMemcpyDeviceToDevice, c_.stream));
  {
    const ScopedTag s(*c_.tagger, tag(-1, op_of(name, ".gate_up"), mb, 'F', "gemm", rows, 2L * inter, hd));
    c_.gemm->forward(h, w13, a, {rows, hd, 2 * inter}, true, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(-1, op_of(name, ".swiglu"), mb, 'F', "memory_bound"));
    k::swiglu_forward({a, a + inter, z, 2L * inter, inter, rows, inter}, c_.stream);
  }
  const ScopedTag s(*c_.tagger, tag(-1, op_of(name, ".down"), mb, 'F', "gemm", rows, hd, inter));
  c_.gemm->forward(z, w2, y, {rows, inter, hd}, true, c_.stream);
}

void GpuStage::mlp_backward(MicroBatchState& st, const std::string& name, int mb, const bf16* dy, bf16* dh,
                            const bf16* w13, const bf16* w2, float* g13, float* g2, int rows, int inter) {
  const int hd = c_.cfg->model.hidden;
  const auto r = static_cast<std::size_t>(rows);
  const bf16* h = st.acts.get<bf16>(name + ".h", r * hd);
  const bf16* a = st.acts.get<bf16>(name + ".a", r * 2 * inter);
  const bf16* z = st.acts.get<bf16>(name + ".z", r * inter);
  bf16* dz = c_.scratch->get<bf16>("mlp.dz", r * inter);
  bf16* da = c_.scratch->get<bf16>("mlp.da", r * 2 * inter);
  {
    const ScopedTag s(*c_.tagger, tag(-1, op_of(name, ".down"), mb, 'B', "gemm", rows, inter, hd));
    c_.gemm->backward_data(dy, w2, dz, {rows, inter, hd}, true, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(-1, op_of(name, ".down"), mb, 'W', "gemm", hd, inter, rows));
    c_.gemm->backward_weight(dy, z, g2, {rows, inter, hd}, true, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(-1, op_of(name, ".swiglu"), mb, 'B', "memory_bound"));
    k::swiglu_backward({a, a + inter, dz, da, da + inter, 2L * inter, inter, 2L * inter, rows, inter}, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(-1, op_of(name, ".gate_up"), mb, 'B', "gemm", rows, hd, 2L * inter));
    c_.gemm->backward_data(da, w13, dh, {rows, hd, 2 * inter}, true, c_.stream);
  }
  const ScopedTag s(*c_.tagger, tag(-1, op_of(name, ".gate_up"), mb, 'W', "gemm", 2L * inter, hd, rows));
  c_.gemm->backward_weight(da, h, g13, {rows, hd, 2 * inter}, true, c_.stream);
}

}  // namespace deepsim::runtime
