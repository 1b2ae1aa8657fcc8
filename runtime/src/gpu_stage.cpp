// GpuStage: sequencing of a stage's forward and backward, embedding, tags and NaN checks (see gpu_model.h).
#include <cmath>

#include "kernels/rmsnorm.h"
#include "runtime/gpu_model.h"
#include "runtime/gpu_ops.h"
#include "runtime/stream_copy.h"

namespace deepsim::runtime {
namespace k = deepsim::kernels;

GpuStage::GpuStage(const StageContext& ctx) : c_(ctx) {
  seq_len_ = ctx.cfg->training.seq_len;
  batch_ = ctx.cfg->parallel.micro_batch_size;
  tokens_ = seq_len_ * batch_;
}

const bf16* GpuStage::w(ParamKind kind, int layer) const {
  const ParamEntry& e = c_.layout->at(kind, layer);
  return c_.weights->compute[static_cast<int>(e.group)].data() + e.offset;
}

float* GpuStage::g(ParamKind kind, int layer) const {
  const ParamEntry& e = c_.layout->at(kind, layer);
  return c_.weights->grad[static_cast<int>(e.group)].data() + e.offset;
}

KernelTag GpuStage::tag(int layer, const std::string& op, int mb, char phase, const char* family, long m, long n,
                        long kk) const {
  return KernelTag{layer, op, mb, phase, family, m, n, kk};
}

void GpuStage::check(const bf16* x, long n, int layer, const char* op) {
  if (!c_.cfg->exec.debug_checks) return;
  gpu::check_finite(x, n, c_.nan_flag, c_.stream);
  int flag = 0;
  copy_to_host(&flag, c_.nan_flag, 1, c_.stream);
  if (flag != 0)
    throw NonFiniteError("NaN or Inf produced by op '" + std::string(op) + "' of layer " + std::to_string(layer));
}

void GpuStage::norm_backward(MicroBatchState& st, const bf16* x, long x_stride, ParamKind kind, int layer, const bf16* dy,
                             long dy_stride, const float* rstd, bf16* dx, long dx_stride, int rows, int hidden) {
  float* dw = c_.scratch->get<float>("norm.dw", static_cast<std::size_t>(hidden));
  (void)st;
  k::rmsnorm_backward({x, w(kind, layer), dy, rstd, dx, dw, x_stride, dy_stride, dx_stride, rows, hidden}, c_.stream);
  gpu::accumulate(g(kind, layer), dw, hidden, c_.stream);
}

void GpuStage::load_tokens(MicroBatchState& st, const std::vector<std::int32_t>& tokens) {
  const int mtp = c_.cfg->model.mtp_depth;
  const int row = seq_len_ + 1 + mtp;
  std::vector<std::int32_t> in, tgt, mtp_in, mtp_tgt, pos;
  for (int s = 0; s < batch_; ++s)
    for (int i = 0; i < seq_len_; ++i) {
      const std::int32_t* r = tokens.data() + static_cast<std::size_t>(s) * row;
      in.push_back(r[i]);
      tgt.push_back(r[i + 1]);
      pos.push_back(i);
      mtp_in.push_back(mtp > 0 ? r[i + 1] : 0);
      mtp_tgt.push_back(mtp > 0 ? r[i + 2] : 0);
    }
  const auto n = static_cast<std::size_t>(tokens_);
  // On the compute stream: the slot's previous micro-batch may still be read by queued kernels (its loss
  // rows, its backward's token ids), and the upload must land after them.
  auto up = [&](const char* name, const std::vector<std::int32_t>& v) {
    copy_to_device(st.acts.get<std::int32_t>(name, n), v.data(), n, c_.stream);
  };
  up("tok.in", in);
  up("tok.tgt", tgt);
  up("tok.mtp_in", mtp_in);
  up("tok.mtp_tgt", mtp_tgt);
  up("tok.pos", pos);
  st.tokens = tokens_;
}

void GpuStage::forward(MicroBatchState& st, int mb, const bf16* x_in, bf16* x_out) {
  const ShardSpec& sh = c_.layout->shard();
  const long n = static_cast<long>(tokens_) * c_.cfg->model.hidden;
  bf16* x = st.acts.get<bf16>("x." + std::to_string(sh.first_layer), static_cast<std::size_t>(n));
  if (sh.has_embedding) {
    const ScopedTag t(*c_.tagger, tag(-1, "embedding", mb, 'F', "memory_bound"));
    gpu::embedding_gather(w(ParamKind::kEmbed, -1), st.acts.get<std::int32_t>("tok.in", static_cast<std::size_t>(tokens_)),
                          x, tokens_, c_.cfg->model.hidden, c_.stream);
  } else {
    DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(x, x_in, static_cast<std::size_t>(n) * sizeof(bf16), cudaMemcpyDeviceToDevice, c_.stream));
  }
  for (int l = sh.first_layer; l < sh.last_layer; ++l) {
    bf16* out = st.acts.get<bf16>("x." + std::to_string(l + 1), static_cast<std::size_t>(n));
    block_forward(st, l, mb, st.acts.get<bf16>("x." + std::to_string(l), static_cast<std::size_t>(n)), out);
  }
  bf16* last = st.acts.get<bf16>("x." + std::to_string(sh.last_layer), static_cast<std::size_t>(n));
  if (!sh.has_head) {
    DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(x_out, last, static_cast<std::size_t>(n) * sizeof(bf16), cudaMemcpyDeviceToDevice, c_.stream));
    return;
  }
  head_forward(st, mb, last);
  if (c_.cfg->model.mtp_depth > 0) mtp_forward(st, mb, last);
}

void GpuStage::backward(MicroBatchState& st, int mb, const bf16* dx_out, bf16* dx_in) {
  const ShardSpec& sh = c_.layout->shard();
  const long n = static_cast<long>(tokens_) * c_.cfg->model.hidden;
  bf16* dx = c_.scratch->get<bf16>("dx.a", static_cast<std::size_t>(n));
  bf16* dnext = c_.scratch->get<bf16>("dx.b", static_cast<std::size_t>(n));
  if (sh.has_head) {
    head_backward(st, mb, dx);
    if (c_.cfg->model.mtp_depth > 0) mtp_backward(st, mb, dx);
  } else {
    DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(dx, dx_out, static_cast<std::size_t>(n) * sizeof(bf16), cudaMemcpyDeviceToDevice, c_.stream));
  }
  for (int l = sh.last_layer - 1; l >= sh.first_layer; --l) {
    block_backward(st, l, mb, dx, dnext);
    std::swap(dx, dnext);
  }
  if (sh.has_embedding) {
    const ScopedTag t(*c_.tagger, tag(-1, "embedding", mb, 'W', "memory_bound"));
    gpu::embedding_scatter_add(g(ParamKind::kEmbed, -1), st.acts.get<std::int32_t>("tok.in", static_cast<std::size_t>(tokens_)),
                               dx, tokens_, c_.cfg->model.hidden, c_.stream);
  } else {
    DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(dx_in, dx, static_cast<std::size_t>(n) * sizeof(bf16), cudaMemcpyDeviceToDevice, c_.stream));
  }
}

std::pair<double, double> GpuStage::losses(MicroBatchState& st) const {
  auto mean = [&](const char* name) {
    std::vector<float> rows(static_cast<std::size_t>(tokens_));
    copy_to_host(rows.data(), st.acts.get<float>(name, rows.size()), rows.size(), c_.stream);  // after the loss kernel
    double s = 0.0;
    for (float v : rows) s += v;
    return s / static_cast<double>(rows.size());
  };
  return {mean("loss"), c_.cfg->model.mtp_depth > 0 ? mean("loss_mtp") : 0.0};
}

}  // namespace deepsim::runtime
