#include "sim/parallel/placement.h"

#include <string>

#include "sim/core/error.h"

namespace deepsim {

namespace {

std::string str(int v) { return std::to_string(v); }

// The rules of placement.h, first violation wins; "" when the plan fits.
std::string plan_problem(int pp, int dp, int tp, int ep, int nodes, int g) {
  if (pp < 1 || dp < 1 || tp < 1 || ep < 1 || nodes < 1 || g < 1) return "pp, dp, tp, ep, nodes and GPUs per node must be >= 1";
  if (pp * dp * tp != nodes * g) {
    return "pp x dp x tp = " + str(pp * dp * tp) + " GPUs, but the cluster has " + str(nodes * g);
  }
  if (g % tp != 0 && tp % g != 0) {
    return "tp (" + str(tp) + ") must divide the GPUs per node (" + str(g) +
           ") to stay on NVLink, or be a multiple of it so a TP group is whole nodes (over InfiniBand)";
  }
  if ((dp * tp) % ep != 0) return "ep (" + str(ep) + ") must divide dp x tp (" + str(dp * tp) + ") of one stage";
  if (ep % g != 0 && g % ep != 0) {
    return "ep (" + str(ep) + ") must be a multiple or a divisor of the GPUs per node (" + str(g) +
           ") so EP groups do not straddle nodes";
  }
  if (pp > 1 && (dp * tp) % g != 0) {
    return "with pp > 1, dp x tp (" + str(dp * tp) + ") must be a multiple of the GPUs per node (" + str(g) +
           ") so that a node holds one stage and pipeline neighbours sit on different nodes";
  }
  return {};
}

}  // namespace

Result<Placement> Placement::make(const ParallelSpec& spec, const ClusterSpec& cluster) {
  return make(spec.pp, spec.dp, spec.tp, spec.ep, cluster.nodes, cluster.gpus_per_node);
}

Result<Placement> Placement::make(int pp, int dp, int tp, int ep, int nodes, int gpus_per_node) {
  if (std::string why = plan_problem(pp, dp, tp, ep, nodes, gpus_per_node); !why.empty()) return PlanError{why};
  return Placement(pp, dp, tp, ep, gpus_per_node);
}

GpuId Placement::gpu(RankCoord c) const {
  DEEPSIM_ASSERT(c.stage >= 0 && c.stage < pp_ && c.dp_rank >= 0 && c.dp_rank < dp_ && c.tp_rank >= 0 &&
                     c.tp_rank < tp_,
                 "rank coordinate outside the plan");
  return GpuId(static_cast<GpuId::rep>((c.stage * dp_ + c.dp_rank) * tp_ + c.tp_rank));
}

RankCoord Placement::coord(GpuId g) const {
  const int v = static_cast<int>(g.value());
  DEEPSIM_ASSERT(g.valid() && v < gpus(), "GPU id outside the plan");
  return {v / (dp_ * tp_), (v / tp_) % dp_, v % tp_};
}

GpuLocation Placement::location(GpuId g) const {
  const int v = static_cast<int>(g.value());
  DEEPSIM_ASSERT(g.valid() && v < gpus(), "GPU id outside the plan");
  return {v / gpus_per_node_, v % gpus_per_node_};
}

int Placement::ep_rank(GpuId g) const {
  const RankCoord c = coord(g);
  return (c.dp_rank * tp_ + c.tp_rank) % ep_;
}

int Placement::ep_group(GpuId g) const {
  const RankCoord c = coord(g);
  return (c.dp_rank * tp_ + c.tp_rank) / ep_;
}

std::vector<GpuId> Placement::pipeline(int dp_rank, int tp_rank) const {
  std::vector<GpuId> out;
  for (int s = 0; s < pp_; ++s) out.push_back(gpu({s, dp_rank, tp_rank}));
  return out;
}

std::vector<GpuId> Placement::dp_group(int stage, int tp_rank) const {
  std::vector<GpuId> out;
  for (int d = 0; d < dp_; ++d) out.push_back(gpu({stage, d, tp_rank}));
  return out;
}

std::vector<GpuId> Placement::tp_group(int stage, int dp_rank) const {
  std::vector<GpuId> out;
  for (int t = 0; t < tp_; ++t) out.push_back(gpu({stage, dp_rank, t}));
  return out;
}

std::vector<GpuId> Placement::ep_group_members(int stage, int group) const {
  DEEPSIM_ASSERT(group >= 0 && group < ep_groups_per_stage(), "EP group index outside the stage");
  std::vector<GpuId> out;
  for (int l = group * ep_; l < (group + 1) * ep_; ++l) out.push_back(gpu({stage, l / tp_, l % tp_}));
  return out;
}

}  // namespace deepsim
