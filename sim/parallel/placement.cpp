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

PlacementProblem placement_problem(int pp, int dp, int tp, int ep, int nodes, int g, int cp) {
  if (pp < 1 || dp < 1 || tp < 1 || cp < 1 || ep < 1 || nodes < 1 || g < 1)
    return {"every size is at least 1", "parallel", "pp, dp, tp, cp, ep, nodes and GPUs per node must be >= 1", ""};
  const int stage = dp * cp * tp;
  const std::string dims = cp > 1 ? "pp x dp x tp x cp" : "pp x dp x tp";
  const std::string of_stage = cp > 1 ? "dp x tp x cp" : "dp x tp";
  if (pp * stage != nodes * g)
    return {dims + " uses every GPU", "parallel.dp",
            dims + " = " + str(pp * stage) + " GPUs, but the cluster has " + str(nodes * g),
            cp > 1 ? "choose dp = GPUs / (pp x tp x cp)" : "choose dp = GPUs / (pp x tp)"};
  if (g % tp != 0 && tp % g != 0)
    return {"a TP group fits inside one node or is whole nodes", "parallel.tp",
            "tp = " + str(tp) + " neither divides the " + str(g) + " GPUs per node (NVLink) nor is a multiple of them",
            "choose tp from " + fitting_sizes(g, std::max(tp, 2 * g))};
  if (cp > 1 && g % (tp * cp) != 0 && (tp * cp) % g != 0)
    return {"a CP ring fits inside one node or is whole nodes", "parallel.cp",
            "tp x cp = " + str(tp * cp) + " neither divides the " + str(g) +
                " GPUs per node nor is a multiple of them (a CP ring is cp GPUs at stride tp)",
            "choose tp x cp from " + fitting_sizes(g, std::max(tp * cp, 2 * g))};
  if (stage % ep != 0)
    return {"an EP group lies inside one stage", "parallel.ep",
            "ep = " + str(ep) + " does not divide " + of_stage + " = " + str(stage) +
                " (EP is drawn from one stage's GPUs)",
            "choose a divisor of " + str(stage)};
  if (ep % g != 0 && g % ep != 0)
    return {"an EP group fits inside one node or is whole nodes", "parallel.ep",
            "ep = " + str(ep) + " would straddle nodes: it neither divides the " + str(g) +
                " GPUs per node nor is a multiple of them",
            "choose ep from " + fitting_sizes(g, std::max(ep, 2 * g)) + " that divides " + of_stage + " = " + str(stage)};
  if (pp > 1 && stage % g != 0 && g % stage != 0)
    return {"a stage fills whole nodes or fits inside one", "parallel.dp",
            "with pp > 1 a stage's " + of_stage + " = " + str(stage) + " GPUs neither fill whole nodes of " + str(g) +
                " nor fit inside one",
            "choose " + of_stage + " from " + fitting_sizes(g, std::max(stage, 2 * g)) + " (pp stages of it use every GPU)"};
  return {};
}

Result<Placement> Placement::make(const ParallelSpec& spec, const ClusterSpec& cluster) {
  return make(spec.pp, spec.dp, spec.tp, spec.ep, cluster.nodes, cluster.gpus_per_node, spec.cp);
}

Result<Placement> Placement::make(int pp, int dp, int tp, int ep, int nodes, int gpus_per_node, int cp) {
  if (const PlacementProblem p = placement_problem(pp, dp, tp, ep, nodes, gpus_per_node, cp); !p.ok())
    return PlanError{p.describe() + (p.hint.empty() ? "" : " (" + p.hint + ")")};
  return Placement(pp, dp, tp, ep, gpus_per_node, cp);
}

GpuId Placement::gpu(RankCoord c) const {
  DEEPSIM_ASSERT(c.stage >= 0 && c.stage < pp_ && c.dp_rank >= 0 && c.dp_rank < dp_ && c.tp_rank >= 0 &&
                     c.tp_rank < tp_ && c.cp_rank >= 0 && c.cp_rank < cp_,
                 "rank coordinate outside the plan");
  return GpuId(static_cast<GpuId::rep>(c.stage * gpus_per_stage() + local_index(c)));
}

RankCoord Placement::coord(GpuId g) const {
  const int v = static_cast<int>(g.value());
  DEEPSIM_ASSERT(g.valid() && v < gpus(), "GPU id outside the plan");
  const int l = v % gpus_per_stage();
  return {v / gpus_per_stage(), l / (cp_ * tp_), l % tp_, (l / tp_) % cp_};
}

GpuLocation Placement::location(GpuId g) const {
  const int v = static_cast<int>(g.value());
  DEEPSIM_ASSERT(g.valid() && v < gpus(), "GPU id outside the plan");
  return {v / gpus_per_node_, v % gpus_per_node_};
}

int Placement::ep_rank(GpuId g) const { return local_index(coord(g)) % ep_; }

int Placement::ep_group(GpuId g) const { return local_index(coord(g)) / ep_; }

std::vector<GpuId> Placement::pipeline(int dp_rank, int tp_rank, int cp_rank) const {
  std::vector<GpuId> out;
  for (int s = 0; s < pp_; ++s) out.push_back(gpu({s, dp_rank, tp_rank, cp_rank}));
  return out;
}

std::vector<GpuId> Placement::dp_group(int stage, int tp_rank, int cp_rank) const {
  std::vector<GpuId> out;
  for (int d = 0; d < dp_; ++d) out.push_back(gpu({stage, d, tp_rank, cp_rank}));
  return out;
}

std::vector<GpuId> Placement::dp_cp_group(int stage, int tp_rank) const {
  std::vector<GpuId> out;
  for (int d = 0; d < dp_; ++d)
    for (int c = 0; c < cp_; ++c) out.push_back(gpu({stage, d, tp_rank, c}));
  return out;
}

std::vector<GpuId> Placement::tp_group(int stage, int dp_rank, int cp_rank) const {
  std::vector<GpuId> out;
  for (int t = 0; t < tp_; ++t) out.push_back(gpu({stage, dp_rank, t, cp_rank}));
  return out;
}

std::vector<GpuId> Placement::cp_group(int stage, int dp_rank, int tp_rank) const {
  std::vector<GpuId> out;
  for (int c = 0; c < cp_; ++c) out.push_back(gpu({stage, dp_rank, tp_rank, c}));
  return out;
}

std::vector<GpuId> Placement::ep_group_members(int stage, int group) const {
  DEEPSIM_ASSERT(group >= 0 && group < ep_groups_per_stage(), "EP group index outside the stage");
  std::vector<GpuId> out;
  for (int l = group * ep_; l < (group + 1) * ep_; ++l)
    out.push_back(gpu({stage, l / (cp_ * tp_), l % tp_, (l / tp_) % cp_}));
  return out;
}

}  // namespace deepsim
