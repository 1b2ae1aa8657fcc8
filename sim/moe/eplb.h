// EPLB: redundant-expert placement from observed expert loads, after DeepSeek's Expert Parallelism Load
// Balancer (github.com/deepseek-ai/EPLB, eplb.py), re-derived here. Two policies:
//  - hierarchical (needs nodes | groups): pack whole expert groups onto nodes so node loads balance
//    (group-limited routing keeps a token's traffic on few nodes), give each node's extra slots to its
//    heaviest experts (greedy: next replica to the expert with the largest load per replica), then pack
//    the node's replicas onto its GPUs;
//  - global: replicate over all experts regardless of groups, then pack replicas onto all GPUs.
// Packing is greedy "heaviest item to the lightest pack that still has room", every pack getting exactly
// slots_per_gpu items (balanced_packing in eplb.py); unlike eplb.py a pack that already holds a replica of
// the same expert is avoided when another pack with room exists, since two replicas on one GPU add nothing.
#pragma once

#include <span>

#include "sim/moe/expert_placement.h"
#include "sim/moe/routing_spec.h"

namespace deepsim {

// expert_load: observed tokens per logical expert (any scale). Physical slots = load.size() + redundant,
// which must divide over layout.gpus.
[[nodiscard]] ExpertPlacement eplb_hierarchical(std::span<const double> expert_load, int expert_groups, int redundant,
                                                EpLayout layout);
[[nodiscard]] ExpertPlacement eplb_global(std::span<const double> expert_load, int redundant, EpLayout layout);
// kHierarchical falls back to global when the nodes do not divide the groups (as eplb.py does); kNone
// gives the contiguous placement.
[[nodiscard]] ExpertPlacement eplb_place(EplbPolicy policy, std::span<const double> expert_load, int expert_groups,
                                         int redundant, EpLayout layout);

// Replica count per expert for `slots` physical slots: greedily to the largest load per replica, at most
// max_replicas each (the GPUs one expert can spread over).
[[nodiscard]] std::vector<int> eplb_replica_counts(std::span<const double> expert_load, int slots, int max_replicas = 1 << 30);

}  // namespace deepsim
