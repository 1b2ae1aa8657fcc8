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

PlacementProblem placement_problem(int pp, int dp, int tp, int ep, int nodes, int g, int cp, int expert_tp) {
  if (pp < 1 || dp < 1 || tp < 1 || cp < 1 || ep < 1 || expert_tp < 1 || nodes < 1 || g < 1)
    return {"every size is at least 1", "parallel", "pp, dp, tp, cp, ep, expert_tp, nodes and GPUs per node must be >= 1",
            ""};
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
  if (expert_tp > 1 && g % expert_tp != 0 && expert_tp % g != 0)
    return {"an expert-TP group fits inside one node or is whole nodes", "parallel.expert_tp",
            "expert_tp = " + str(expert_tp) + " neither divides the " + str(g) +
                " GPUs per node (NVLink) nor is a multiple of them",
            "choose expert_tp from " + fitting_sizes(g, std::max(expert_tp, 2 * g))};
  if (expert_tp > 1 && stage % (expert_tp * ep) != 0)
    return {"expert_tp x ep lies inside one stage", "parallel.expert_tp",
            "expert_tp x ep = " + str(expert_tp) + " x " + str(ep) + " = " + str(expert_tp * ep) + " does not divide " +
                of_stage + " = " + str(stage) + " (the MoE layers regroup one stage's GPUs as expert_tp x ep x edp)",
            "choose expert_tp so that expert_tp x ep divides " + str(stage)};
  if (expert_tp == 1 && ep % g != 0 && g % ep != 0)
    return {"an EP group fits inside one node or is whole nodes", "parallel.ep",
            "ep = " + str(ep) + " would straddle nodes: it neither divides the " + str(g) +
                " GPUs per node nor is a multiple of them",
            "choose ep from " + fitting_sizes(g, std::max(ep, 2 * g)) + " that divides " + of_stage + " = " + str(stage)};
  const int span = ep * expert_tp;  // an EP group's GPUs lie at stride expert_tp
  if (expert_tp > 1 && span % g != 0 && g % span != 0)
    return {"an EP group fits inside one node or is whole nodes", "parallel.ep",
            "ep x expert_tp = " + str(span) + " would straddle nodes (an EP group is ep GPUs at stride expert_tp): it "
                "neither divides the " + str(g) + " GPUs per node nor is a multiple of them",
            "choose ep so that ep x expert_tp divides " + str(g) + " or is a multiple of it"};
  if (pp > 1 && stage % g != 0 && g % stage != 0)
    return {"a stage fills whole nodes or fits inside one", "parallel.dp",
            "with pp > 1 a stage's " + of_stage + " = " + str(stage) + " GPUs neither fill whole nodes of " + str(g) +
                " nor fit inside one",
            "choose " + of_stage + " from " + fitting_sizes(g, std::max(stage, 2 * g)) + " (pp stages of it use every GPU)"};
  return {};
}

int ep_gpus_per_node(int ep, int expert_tp, int g) {
  if (expert_tp <= 1) return g;
  return ep * expert_tp <= g ? ep : std::max(1, g / expert_tp);
}

Result<Placement> Placement::make(const ParallelSpec& spec, const ClusterSpec& cluster) {
  return make(spec.pp, spec.dp, spec.tp, spec.ep, cluster.nodes, cluster.gpus_per_node, spec.cp, spec.expert_tp);
}

Result<Placement> Placement::make(int pp, int dp, int tp, int ep, int nodes, int gpus_per_node, int cp, int expert_tp) {
  if (const PlacementProblem p = placement_problem(pp, dp, tp, ep, nodes, gpus_per_node, cp, expert_tp); !p.ok())
    return PlanError{p.describe() + (p.hint.empty() ? "" : " (" + p.hint + ")")};
  return Placement(pp, dp, tp, ep, gpus_per_node, cp, expert_tp);
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

// Local index l = (e * ep + r) * expert_tp + t: EP rank r, ETP rank t, edp index e; EP group e * expert_tp + t.
int Placement::ep_rank(GpuId g) const { return local_index(coord(g)) / expert_tp_ % ep_; }

int Placement::ep_group(GpuId g) const {
  const int l = local_index(coord(g));
  return l / (expert_tp_ * ep_) * expert_tp_ + l % expert_tp_;
}

int Placement::etp_rank(GpuId g) const { return local_index(coord(g)) % expert_tp_; }

std::vector<GpuId> Placement::etp_group(GpuId g) const {
  const RankCoord c = coord(g);
  const int first = local_index(c) - local_index(c) % expert_tp_;
  std::vector<GpuId> out;
  for (int t = 0; t < expert_tp_; ++t) out.push_back(at_local(c.stage, first + t));
  return out;
}

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
  const int e = group / expert_tp_, t = group % expert_tp_;
  std::vector<GpuId> out;
  for (int r = 0; r < ep_; ++r) out.push_back(at_local(stage, (e * ep_ + r) * expert_tp_ + t));
  return out;
}

}  // namespace deepsim
