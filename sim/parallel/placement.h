// Placement: which GPU runs which (pipeline stage, data-parallel rank, context-parallel rank,
// tensor-parallel rank), and which GPUs form each pipeline, DP, CP, TP and EP group. docs/pipeline.md
// explains the layout with a picture.
//
// The mapping is stage-major, then dp, then cp, tp fastest (Megatron's tp-cp-ep-dp-pp order):
//     gpu(stage s, dp rank d, cp rank c, tp rank t) = ((s * dp + d) * cp + c) * tp + t,
//     node = gpu / G,  local = gpu % G
// with G GPUs per node. Why this order:
//  - a stage's dp * cp * tp GPUs are consecutive, so with that a multiple of G every node holds GPUs of
//    one stage only (DeepSeek-V3: a node's 8 GPUs hold the same layers), and pipeline neighbours
//    are dp * cp * tp >= G GPUs apart: always on different nodes; with dp * cp * tp dividing G a node
//    holds G / (dp * cp * tp) consecutive stages whole, and the sends between them stay on NVLink (the
//    router picks the links from the topology, as for every pair of GPUs);
//  - EP is drawn from the dp * cp * tp GPUs of one stage (reference R12; Megatron's expert groups too,
//    so experts see the CP-split tokens): EP group k of stage s is the GPUs with local-in-stage index
//    l = (d * cp + c) * tp + t in [k * ep, (k+1) * ep); with ep a multiple of G an EP group is ep / G
//    whole nodes (V3: EP64 = 8 nodes), with ep dividing G it sits inside one node;
//  - expert tensor parallelism (expert_tp > 1, Megatron-core's MoE parallel folding) regroups the same
//    dp * cp * tp GPUs of a stage for the MoE layers as expert_tp x ep x edp, expert_tp fastest: the ETP
//    group of local index l is the expert_tp consecutive GPUs around it (l - l % expert_tp, ...), its
//    EP group the ep GPUs at stride expert_tp with the same ETP index: EP group k = e * expert_tp + t
//    (edp index e, ETP index t) holds l = (e * ep + r) * expert_tp + t, r its EP rank (expert_tp = 1:
//    the consecutive groups above); an EP group then has G / expert_tp GPUs on each of its nodes;
//  - TP groups are tp consecutive GPUs: inside one node (tp divides G), the NVLink domain, or whole
//    nodes (tp a multiple of G), whose TP collectives then cross InfiniBand (the step says so in a note);
//  - CP groups (the K/V ring) are cp GPUs at stride tp: with tp * cp dividing G a ring sits inside one
//    node on NVLink; with tp * cp a multiple of G it spans tp * cp / G nodes and its hops between nodes
//    (the wrap-around at least) cross InfiniBand;
//  - the DP group of (s, c, t) is every d: stride cp * tp inside the stage; gradients are reduced over
//    the dp x cp GPUs of (s, t) (dp_cp_group), as Megatron reduces them over its DP-CP group.
// Pipeline ranks in a Schedule are stages here: schedule rank r of pipeline (d, t) runs on gpu(r, d, 0, t).
// DualPipeV's pp/2 ranks are pipeline stages too (each rank holds two model stages).
#pragma once

#include <string>
#include <vector>

#include "sim/core/ids.h"
#include "sim/hw/cluster_spec.h"
#include "sim/parallel/parallel_spec.h"
#include "sim/parallel/result.h"

namespace deepsim {

struct RankCoord {
  int stage = 0;    // pipeline stage (schedule rank)
  int dp_rank = 0;  // data-parallel rank within the stage
  int tp_rank = 0;  // tensor-parallel rank
  int cp_rank = 0;  // context-parallel rank (last so that {stage, dp, tp} still reads as before)
  constexpr bool operator==(const RankCoord&) const = default;
};

// A placement rule a plan breaks: the rule's name, the scenario key to blame, what is wrong, how to fix it.
// The rules, first broken wins (G = GPUs per node):
//   "every size is at least 1"                         (parallel)
//   "pp x dp x tp x cp uses every GPU"                 (parallel.dp)
//   "a TP group fits inside one node or is whole nodes"  tp divides G or is a multiple of it (parallel.tp)
//   "a CP ring fits inside one node or is whole nodes"   with cp > 1, tp x cp divides G or is a multiple
//     of it (parallel.cp): a ring split unevenly across nodes is not modelled;
//   "an EP group lies inside one stage"                ep divides dp x tp x cp (parallel.ep)
//   "an expert-TP group fits inside one node or is whole nodes"  expert_tp divides G or is a multiple of
//     it (parallel.expert_tp), as for TP: over whole nodes its collectives cross InfiniBand;
//   "expert_tp x ep lies inside one stage"             expert_tp x ep divides dp x tp x cp (parallel.expert_tp)
//   "an EP group fits inside one node or is whole nodes" ep x expert_tp (the GPUs an EP group spans)
//     divides G or is a multiple of it (parallel.ep): the all-to-all model counts nodes per group, and a
//     group over a node and a half would share that node's NICs with a neighbour group in a way it does
//     not model;
//   "a stage fills whole nodes or fits inside one"     with pp > 1, dp x tp x cp divides G or is a multiple of
//     it (parallel.dp): a stage over a node and a half would split a node's NICs between two stages.
struct PlacementProblem {
  std::string rule;  // empty: the plan can be placed
  std::string key;
  std::string message;
  std::string hint;
  [[nodiscard]] bool ok() const { return rule.empty(); }
  // "rule: <rule>: <message>" (the hint apart, for InputError)
  [[nodiscard]] std::string describe() const { return "rule: " + rule + ": " + message; }
};

[[nodiscard]] PlacementProblem placement_problem(int pp, int dp, int tp, int ep, int nodes, int gpus_per_node,
                                                 int cp = 1, int expert_tp = 1);

// The GPUs of one EP group on each node it spans: ep inside one node, else G / expert_tp (at least 1:
// with expert_tp a multiple of G every member sits on its own node). With expert_tp = 1: G, as the
// all-to-all model has always been told (it takes the smaller of that and ep).
[[nodiscard]] int ep_gpus_per_node(int ep, int expert_tp, int gpus_per_node);

struct GpuLocation {
  int node = 0;
  int local = 0;  // index inside the node, also its NIC / MPFT plane
  constexpr bool operator==(const GpuLocation&) const = default;
};

class Placement {
 public:
  // Errors: the first rule of placement_problem broken, as "rule: ...: message (hint)".
  [[nodiscard]] static Result<Placement> make(const ParallelSpec& spec, const ClusterSpec& cluster);
  // Same rules without a ClusterSpec: `nodes` x `gpus_per_node` GPUs.
  [[nodiscard]] static Result<Placement> make(int pp, int dp, int tp, int ep, int nodes, int gpus_per_node, int cp = 1,
                                              int expert_tp = 1);

  [[nodiscard]] int pp() const { return pp_; }
  [[nodiscard]] int dp() const { return dp_; }
  [[nodiscard]] int tp() const { return tp_; }
  [[nodiscard]] int ep() const { return ep_; }
  [[nodiscard]] int cp() const { return cp_; }
  [[nodiscard]] int expert_tp() const { return expert_tp_; }
  [[nodiscard]] int gpus() const { return pp_ * dp_ * cp_ * tp_; }
  [[nodiscard]] int gpus_per_node() const { return gpus_per_node_; }
  [[nodiscard]] int gpus_per_stage() const { return dp_ * cp_ * tp_; }
  [[nodiscard]] int ep_groups_per_stage() const { return gpus_per_stage() / ep_; }

  [[nodiscard]] GpuId gpu(RankCoord c) const;
  [[nodiscard]] RankCoord coord(GpuId g) const;
  [[nodiscard]] GpuLocation location(GpuId g) const;
  [[nodiscard]] int ep_rank(GpuId g) const;   // position inside its EP group
  [[nodiscard]] int ep_group(GpuId g) const;  // which EP group of its stage
  [[nodiscard]] int etp_rank(GpuId g) const;  // position inside its expert-TP group (its ETP index)

  // Members, in rank order.
  [[nodiscard]] std::vector<GpuId> pipeline(int dp_rank, int tp_rank, int cp_rank = 0) const;  // by stage
  [[nodiscard]] std::vector<GpuId> dp_group(int stage, int tp_rank, int cp_rank = 0) const;     // by dp rank
  // The gradient-reduction group of (stage, tp rank): every (dp, cp) rank, by d * cp + c (= dp_group
  // when cp = 1).
  [[nodiscard]] std::vector<GpuId> dp_cp_group(int stage, int tp_rank) const;
  [[nodiscard]] std::vector<GpuId> tp_group(int stage, int dp_rank, int cp_rank = 0) const;     // by tp rank
  [[nodiscard]] std::vector<GpuId> cp_group(int stage, int dp_rank, int tp_rank = 0) const;     // by cp rank: the ring
  [[nodiscard]] std::vector<GpuId> ep_group_members(int stage, int group) const;  // by ep rank
  // The expert-TP group of `g`: the expert_tp GPUs that split the same experts (by ETP rank; {g} when
  // expert_tp = 1).
  [[nodiscard]] std::vector<GpuId> etp_group(GpuId g) const;

 private:
  Placement(int pp, int dp, int tp, int ep, int gpus_per_node, int cp, int expert_tp)
      : pp_(pp), dp_(dp), tp_(tp), ep_(ep), gpus_per_node_(gpus_per_node), cp_(cp), expert_tp_(expert_tp) {}
  [[nodiscard]] int local_index(RankCoord c) const { return (c.dp_rank * cp_ + c.cp_rank) * tp_ + c.tp_rank; }
  [[nodiscard]] GpuId at_local(int stage, int l) const {
    return GpuId(static_cast<GpuId::rep>(stage * gpus_per_stage() + l));
  }
  int pp_, dp_, tp_, ep_, gpus_per_node_, cp_, expert_tp_;
};

}  // namespace deepsim
