#include "sim/model/expert_ops.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/model/op_factory.h"

namespace deepsim {

std::vector<Op> grouped_expert_ops(const ModelSpec& m, std::span<const std::int64_t> tokens_per_expert,
                                   const OpContext& c) {
  DEEPSIM_ASSERT(m.is_moe(), "expert ops need an MoE model");
  namespace f = op_factory;
  const int etp = std::max(1, c.expert_tp);
  DEEPSIM_ASSERT(m.moe.expert_intermediate % etp == 0, "expert_intermediate is not divisible by expert_tp");
  const std::int64_t d = m.hidden, inter = m.moe.expert_intermediate / etp;
  // Expert TP: each GEMM runs on the ETP group's gathered tokens (etp x this GPU's).
  std::vector<std::int64_t> gathered;
  if (etp > 1) {
    for (const std::int64_t n : tokens_per_expert) gathered.push_back(n * etp);
    tokens_per_expert = gathered;
  }
  std::int64_t total = 0;
  for (const std::int64_t n : tokens_per_expert) total += n;
  std::vector<Op> ops;
  // gate_up's input is the dispatched tokens: kept, since rebuilding it would repeat the all-to-all.
  // The casts of the expert GEMMs: the dispatched tokens arrive in FP8 and the SwiGLU writes FP8, so
  // only the backward's dgrad and wgrad casts remain (R17).
  auto casts = [&](const char* name, std::int64_t n, std::int64_t k) {
    if (!c.fp8()) return;
    Op cast = f::fp8_casts(name, total, n, k, true);
    cast.per_expert = true;
    ops.push_back(std::move(cast));
  };
  casts("expert.gate_up.cast", 2 * inter, d);
  ops.push_back(f::grouped_gemm("expert.gate_up", tokens_per_expert, 2 * inter, d, c.fp8()));
  Op act = f::swiglu("expert.swiglu", total, inter, c.fp8(), c.partial());
  act.per_expert = true;
  ops.push_back(std::move(act));
  casts("expert.down.cast", d, inter);
  Op down = f::grouped_gemm("expert.down", tokens_per_expert, d, inter, c.fp8());
  if (c.partial()) down.saved = Bytes(0);  // its input is the SwiGLU output, recomputed in the backward
  ops.push_back(std::move(down));
  // Megatron full recompute re-runs the experts too (and keeps nothing of them; the dispatch that feeds
  // them is the step's to repeat).
  if (c.recompute == RecomputeMode::kFull) f::recompute_all(ops);
  return ops;
}

std::vector<Op> expert_ops(const ModelSpec& m, std::int64_t tokens_for_this_expert, const OpContext& c) {
  const std::int64_t one[] = {tokens_for_this_expert};
  return grouped_expert_ops(m, one, c);
}

double balanced_tokens_per_expert(const ModelSpec& m, std::int64_t tokens) {
  DEEPSIM_ASSERT(m.is_moe(), "balanced_tokens_per_expert needs an MoE model");
  return static_cast<double>(tokens) * m.moe.top_k / m.moe.routed_experts;
}

std::vector<std::int64_t> balanced_expert_counts(const ModelSpec& m, std::int64_t tokens) {
  DEEPSIM_ASSERT(m.is_moe(), "balanced_expert_counts needs an MoE model");
  const std::int64_t selections = tokens * m.moe.top_k, e = m.moe.routed_experts;
  std::vector<std::int64_t> counts(static_cast<std::size_t>(e), selections / e);
  for (std::int64_t i = 0; i < selections % e; ++i) ++counts[static_cast<std::size_t>(i)];
  return counts;
}

}  // namespace deepsim
