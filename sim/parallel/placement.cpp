#include "sim/parallel/placement.h"

#include <algorithm>
#include <string>

#include "sim/core/error.h"

namespace deepsim {

namespace {

std::string str(int v) { return std::to_string(v); }

// The divisors and multiples of G a size may take (for hints): divisors of G, then G x 2^k.
std::string fitting_sizes(int g, int limit) {
  std::string out;
  for (int v = 1; v <= g && v <= limit; ++v)
    if (g % v == 0) out += (out.empty() ? "" : ", ") + str(v);
  for (int v = 2 * g; v <= limit; v *= 2) out += ", " + str(v);
  return out;
}

}  // namespace

PlacementProblem placement_problem(int pp, int dp, int tp, int ep, int nodes, int g) {
  if (pp < 1 || dp < 1 || tp < 1 || ep < 1 || nodes < 1 || g < 1)
    return {"every size is at least 1", "parallel", "pp, dp, tp, ep, nodes and GPUs per node must be >= 1", ""};
  if (pp * dp * tp != nodes * g)
    return {"pp x dp x tp uses every GPU", "parallel.dp",
            "pp x dp x tp = " + str(pp * dp * tp) + " GPUs, but the cluster has " + str(nodes * g),
            "choose dp = GPUs / (pp x tp)"};
  if (g % tp != 0 && tp % g != 0)
    return {"a TP group fits inside one node or is whole nodes", "parallel.tp",
            "tp = " + str(tp) + " neither divides the " + str(g) + " GPUs per node (NVLink) nor is a multiple of them",
            "choose tp from " + fitting_sizes(g, std::max(tp, 2 * g))};
  if ((dp * tp) % ep != 0)
    return {"an EP group lies inside one stage", "parallel.ep",
            "ep = " + str(ep) + " does not divide dp x tp = " + str(dp * tp) + " (EP is drawn from one stage's GPUs)",
            "choose a divisor of " + str(dp * tp)};
  if (ep % g != 0 && g % ep != 0)
    return {"an EP group fits inside one node or is whole nodes", "parallel.ep",
            "ep = " + str(ep) + " would straddle nodes: it neither divides the " + str(g) +
                " GPUs per node nor is a multiple of them",
            "choose ep from " + fitting_sizes(g, std::max(ep, 2 * g)) + " that divides dp x tp = " + str(dp * tp)};
  if (pp > 1 && (dp * tp) % g != 0 && g % (dp * tp) != 0)
    return {"a stage fills whole nodes or fits inside one", "parallel.dp",
            "with pp > 1 a stage's dp x tp = " + str(dp * tp) + " GPUs neither fill whole nodes of " + str(g) +
                " nor fit inside one",
            "choose dp x tp from " + fitting_sizes(g, std::max(dp * tp, 2 * g)) + " (pp stages of it use every GPU)"};
  return {};
}


Result<Placement> Placement::make(const ParallelSpec& spec, const ClusterSpec& cluster) {
  return make(spec.pp, spec.dp, spec.tp, spec.ep, cluster.nodes, cluster.gpus_per_node);
}

Result<Placement> Placement::make(int pp, int dp, int tp, int ep, int nodes, int gpus_per_node) {
  if (const PlacementProblem p = placement_problem(pp, dp, tp, ep, nodes, gpus_per_node); !p.ok())
    return PlanError{p.describe() + (p.hint.empty() ? "" : " (" + p.hint + ")")};
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
