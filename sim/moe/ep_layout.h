// EpLayout and RouterShape: the geometry routing works on. EpLayout is one expert-parallel group: its GPUs
// (EP ranks, 0-based inside the group) filling whole nodes of gpus_per_node, or one partial node when the
// group is smaller. RouterShape is the group-limited top-k router of one MoE layer (DeepSeek-V3: 256
// experts in 8 groups of 32, a token may use 4 groups, picks 8 experts).
#pragma once

#include "sim/core/error.h"
#include "sim/model/model_spec.h"

namespace deepsim {

struct EpLayout {
  int gpus = 1;
  int gpus_per_node = 8;

  [[nodiscard]] int nodes() const { return gpus > gpus_per_node ? gpus / gpus_per_node : 1; }
  [[nodiscard]] int node_gpus() const { return gpus > gpus_per_node ? gpus_per_node : gpus; }
  [[nodiscard]] int node_of(int gpu) const { return gpu / node_gpus(); }
};

struct RouterShape {
  int experts = 0;         // routed experts E
  int groups = 1;          // expert groups G; group g holds experts [g*E/G, (g+1)*E/G)
  int limited_groups = 1;  // groups a token may use M
  int top_k = 1;           // experts a token picks k

  [[nodiscard]] static RouterShape from(const MoeSpec& m) {
    return {m.routed_experts, m.expert_groups, m.limited_groups, m.top_k};
  }
  [[nodiscard]] int group_size() const { return experts / groups; }
  [[nodiscard]] int group_of(int expert) const { return expert / group_size(); }
  void check() const {
    DEEPSIM_ASSERT(experts > 0 && groups > 0 && experts % groups == 0, "experts divide into groups");
    DEEPSIM_ASSERT(limited_groups >= 1 && limited_groups <= groups, "limited groups within 1..groups");
    DEEPSIM_ASSERT(top_k >= 1 && top_k <= limited_groups * group_size(), "top_k fits in the allowed groups");
  }
};

}  // namespace deepsim
