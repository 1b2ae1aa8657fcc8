// Placement: which GPU runs which (pipeline stage, data-parallel rank, tensor-parallel rank), and which
// GPUs form each pipeline, DP, TP and EP group. docs/pipeline.md explains the layout with a picture.
//
// The mapping is stage-major, tp fastest:
//     gpu(stage s, dp rank d, tp rank t) = (s * dp + d) * tp + t,   node = gpu / G,  local = gpu % G
// with G GPUs per node. Why this order:
//  - a stage's dp * tp GPUs are consecutive, so with dp * tp a multiple of G every node holds GPUs of
//    one stage only (DeepSeek-V3: a node's 8 GPUs hold the same layers), and pipeline neighbours
//    (s, d, t) and (s+1, d, t) are dp * tp >= G GPUs apart: always on different nodes;
//  - EP is drawn from the dp * tp GPUs of one stage (reference R12): EP group k of stage s is the GPUs
//    with local-in-stage index l = d * tp + t in [k * ep, (k+1) * ep); with ep a multiple of G an EP group
//    is ep / G whole nodes (V3: EP64 = 8 nodes), with ep dividing G it sits inside one node;
//  - TP groups are tp consecutive GPUs: inside one node (tp divides G), the NVLink domain, or whole
//    nodes (tp a multiple of G), whose TP collectives then cross InfiniBand (the step says so in a note);
//  - the DP group of (s, t) is every d: stride tp inside the stage.
// Pipeline ranks in a Schedule are stages here: schedule rank r of pipeline (d, t) runs on gpu(r, d, t).
// DualPipeV's pp/2 ranks are pipeline stages too (each rank holds two model stages).
#pragma once

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
  constexpr bool operator==(const RankCoord&) const = default;
};

struct GpuLocation {
  int node = 0;
  int local = 0;  // index inside the node, also its NIC / MPFT plane
  constexpr bool operator==(const GpuLocation&) const = default;
};

class Placement {
 public:
  // Errors: a size below 1; pp * dp * tp != the cluster's GPUs; tp neither dividing the GPUs per node
  // nor a multiple of them;
  // ep not dividing dp * tp; an EP group straddling nodes (ep neither a multiple nor a divisor of G);
  // a stage not filling whole nodes when pp > 1 (dp * tp not a multiple of G).
  [[nodiscard]] static Result<Placement> make(const ParallelSpec& spec, const ClusterSpec& cluster);
  // Same rules without a ClusterSpec: `nodes` x `gpus_per_node` GPUs.
  [[nodiscard]] static Result<Placement> make(int pp, int dp, int tp, int ep, int nodes, int gpus_per_node);

  [[nodiscard]] int pp() const { return pp_; }
  [[nodiscard]] int dp() const { return dp_; }
  [[nodiscard]] int tp() const { return tp_; }
  [[nodiscard]] int ep() const { return ep_; }
  [[nodiscard]] int gpus() const { return pp_ * dp_ * tp_; }
  [[nodiscard]] int gpus_per_node() const { return gpus_per_node_; }
  [[nodiscard]] int ep_groups_per_stage() const { return dp_ * tp_ / ep_; }

  [[nodiscard]] GpuId gpu(RankCoord c) const;
  [[nodiscard]] RankCoord coord(GpuId g) const;
  [[nodiscard]] GpuLocation location(GpuId g) const;
  [[nodiscard]] int ep_rank(GpuId g) const;   // position inside its EP group
  [[nodiscard]] int ep_group(GpuId g) const;  // which EP group of its stage

  // Members, in rank order.
  [[nodiscard]] std::vector<GpuId> pipeline(int dp_rank, int tp_rank) const;  // by stage
  [[nodiscard]] std::vector<GpuId> dp_group(int stage, int tp_rank) const;    // by dp rank
  [[nodiscard]] std::vector<GpuId> tp_group(int stage, int dp_rank) const;    // by tp rank
  [[nodiscard]] std::vector<GpuId> ep_group_members(int stage, int group) const;  // by ep rank

 private:
  Placement(int pp, int dp, int tp, int ep, int gpus_per_node)
      : pp_(pp), dp_(dp), tp_(tp), ep_(ep), gpus_per_node_(gpus_per_node) {}
  int pp_, dp_, tp_, ep_, gpus_per_node_;
};

}  // namespace deepsim
