// Stage weights and the ZeRO-1 step (see stage_weights.h).
#include "runtime/stage_weights.h"

#include <optional>

#include "kernels/adamw.h"
#include "runtime/gpu_ops.h"
#include "runtime/param_init.h"

namespace deepsim::runtime {

StageWeights make_stage_weights(const ExecConfig& c, const ParamLayout& layout, const ZeroPlan& z) {
  std::vector<float> host[kParamGroups];
  init_params(layout, c.exec.seed, c.exec.init_std, host);
  StageWeights w;
  for (int g = 0; g < kParamGroups; ++g) {
    const bool sharded = g == static_cast<int>(ParamGroup::kReplicated) || !z.experts_sharded;
    const std::size_t parts = sharded ? static_cast<std::size_t>(z.dp) : 1;
    w.zero_sharded[g] = sharded;
    w.size[g] = (host[g].size() + parts - 1) / parts * parts;
    w.shard[g] = w.size[g] / parts;
    host[g].resize(w.size[g], 0.f);
    if (w.size[g] == 0) continue;
    const std::size_t first = sharded ? static_cast<std::size_t>(z.dp_rank) * w.shard[g] : 0;
    w.master[g] = kernels::DeviceBuffer<float>(std::vector<float>(host[g].begin() + static_cast<std::ptrdiff_t>(first),
                                                                  host[g].begin() + static_cast<std::ptrdiff_t>(first + w.shard[g])));
    const kernels::DeviceBuffer<float> full(host[g]);
    w.compute[g] = kernels::DeviceBuffer<bf16>(w.size[g]);
    gpu::cast(full.data(), w.compute[g].data(), static_cast<long>(w.size[g]), nullptr);
    w.grad[g] = kernels::DeviceBuffer<float>(w.size[g]);
    w.grad[g].fill_bytes(0);
    w.m[g] = kernels::DeviceBuffer<bf16>(w.shard[g]);
    w.m[g].fill_bytes(0);
    w.v[g] = kernels::DeviceBuffer<bf16>(w.shard[g]);
    w.v[g].fill_bytes(0);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());  // `full` is freed at scope end
  }
  for (const ParamEntry& e : layout.entries())
    if (e.kind == ParamKind::kGate) {
      kernels::DeviceBuffer<float> bias(static_cast<std::size_t>(c.model.routed_experts));
      bias.fill_bytes(0);
      w.router_bias.emplace(e.layer, std::move(bias));
    }
  return w;
}

void zero1_step(StageWeights& w, const ExecConfig& c, const ZeroPlan& z, ncclComm_t dp_comm, DeviceArena& scratch,
                float lr, int step, cudaStream_t stream, KernelTagger* tagger) {
  auto comm_tag = [&](std::optional<ScopedTag>& tag, const char* op) {
    if (tagger != nullptr) tag.emplace(*tagger, KernelTag{-1, op, -1, '\0', "communication", 0, 0, 0});
  };
  for (int g = 0; g < kParamGroups; ++g) {
    if (w.size[g] == 0) continue;
    const bool reduce = w.zero_sharded[g] && z.dp > 1;
    float* grad = w.grad[g].data();
    const std::size_t first = w.zero_sharded[g] ? static_cast<std::size_t>(z.dp_rank) * w.shard[g] : 0;
    if (reduce) {
      grad = scratch.get<float>("zero.grad_shard." + std::to_string(g), w.shard[g]);
      std::optional<ScopedTag> tag;
      comm_tag(tag, "optimizer.reduce_scatter");
      DEEPSIM_NCCL_CHECK(ncclReduceScatter(w.grad[g].data(), grad, w.shard[g], ncclFloat, ncclSum, dp_comm, stream));
    }
    kernels::AdamWParams p;
    p.master = w.master[g].data();
    p.grad = grad;
    p.m = w.m[g].data();
    p.v = w.v[g].data();
    p.weight_out = w.compute[g].data() + first;
    p.n = static_cast<long>(w.shard[g]);
    p.lr = lr;
    p.beta1 = c.exec.beta1;
    p.beta2 = c.exec.beta2;
    p.eps = c.exec.adam_eps;
    p.weight_decay = c.exec.weight_decay;
    p.step = step;
    kernels::adamw_step(p, stream);
    if (reduce) {
      std::optional<ScopedTag> tag;
      comm_tag(tag, "optimizer.all_gather");
      DEEPSIM_NCCL_CHECK(ncclAllGather(w.compute[g].data() + first, w.compute[g].data(), w.shard[g], ncclBfloat16, dp_comm,
                                       stream));
    }
  }
}

}  // namespace deepsim::runtime
