#include "sim/moe/eplb.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sim/core/error.h"

namespace deepsim {
namespace {

// Greedy packing can end with the only packs left with room already holding an item's label (two
// replicas of one expert on one GPU). Each such item swaps with an item of another pack where neither
// label is present: pack sizes stay exact, and the swap that moves the least weight is taken.
void repair_duplicates(std::vector<int>& pack, std::span<const double> weight, std::span<const int> label, int packs) {
  const std::size_t n = pack.size();
  const auto holds = [&](int p, int l, std::size_t except) {
    for (std::size_t k = 0; k < n; ++k)
      if (k != except && pack[k] == p && label[k] == l) return true;
    return false;
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (label[i] < 0 || !holds(pack[i], label[i], i)) continue;
    std::size_t best = n;
    for (std::size_t j = 0; j < n; ++j) {
      if (pack[j] == pack[i] || holds(pack[j], label[i], j) || (label[j] >= 0 && holds(pack[i], label[j], i))) continue;
      if (best == n || std::abs(weight[j] - weight[i]) < std::abs(weight[best] - weight[i])) best = j;
    }
    DEEPSIM_ASSERT(best < n || packs == 1, "a swap that separates the replicas exists");
    if (best < n) std::swap(pack[i], pack[best]);
  }
}

// Items to `packs` packs of exactly n/packs items each: heaviest first, to the lightest pack with room,
// preferring packs without an item of the same label (label < 0: no preference). Returns the pack of each.
std::vector<int> pack_balanced(std::span<const double> weight, std::span<const int> label, int packs) {
  const std::size_t n = weight.size();
  DEEPSIM_ASSERT(packs > 0 && n % static_cast<std::size_t>(packs) == 0, "items fill the packs evenly");
  const std::size_t per = n / static_cast<std::size_t>(packs);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return weight[a] > weight[b]; });
  std::vector<double> load(static_cast<std::size_t>(packs), 0.0);
  std::vector<std::vector<int>> labels(static_cast<std::size_t>(packs));
  std::vector<int> out(n, -1);
  for (std::size_t i : order) {
    int best = -1, best_dup = -1;
    for (int p = 0; p < packs; ++p) {
      const auto& in = labels[static_cast<std::size_t>(p)];
      if (in.size() == per) continue;
      const bool dup = label[i] >= 0 && std::find(in.begin(), in.end(), label[i]) != in.end();
      int& slot = dup ? best_dup : best;
      if (slot < 0 || load[static_cast<std::size_t>(p)] < load[static_cast<std::size_t>(slot)]) slot = p;
    }
    const int p = best >= 0 ? best : best_dup;
    out[i] = p;
    load[static_cast<std::size_t>(p)] += weight[i];
    labels[static_cast<std::size_t>(p)].push_back(label[i]);
  }
  repair_duplicates(out, weight, label, packs);
  return out;
}

// The three EPLB steps with `nodes` nodes of `node_gpus` GPUs; the global policy is nodes = 1, groups = 1.
std::vector<int> place(std::span<const double> load, int groups, int nodes, int node_gpus, int slots) {
  const int experts = static_cast<int>(load.size());
  DEEPSIM_ASSERT(experts % groups == 0 && groups % nodes == 0, "groups divide over the nodes");
  DEEPSIM_ASSERT(slots >= experts && slots % (nodes * node_gpus) == 0, "slots divide over the GPUs");
  const int group_size = experts / groups, slots_per_node = slots / nodes, slots_per_gpu = slots_per_node / node_gpus;
  // Step 1: groups to nodes.
  std::vector<double> group_load(static_cast<std::size_t>(groups), 0.0);
  for (int e = 0; e < experts; ++e) group_load[static_cast<std::size_t>(e / group_size)] += load[static_cast<std::size_t>(e)];
  const std::vector<int> no_labels(static_cast<std::size_t>(groups), -1);
  const std::vector<int> node_of_group = pack_balanced(group_load, no_labels, nodes);
  std::vector<int> slot_expert(static_cast<std::size_t>(slots), -1);
  for (int n = 0; n < nodes; ++n) {
    std::vector<int> local;
    for (int g = 0; g < groups; ++g)
      if (node_of_group[static_cast<std::size_t>(g)] == n)
        for (int e = g * group_size; e < (g + 1) * group_size; ++e) local.push_back(e);
    std::vector<double> local_load;
    for (int e : local) local_load.push_back(load[static_cast<std::size_t>(e)]);
    // Step 2: replicate inside the node.
    // At most one replica per GPU of the node: a second copy on one GPU would not spread its load.
    const std::vector<int> count = eplb_replica_counts(local_load, slots_per_node, node_gpus);
    std::vector<double> item_w;
    std::vector<int> item_e;
    for (std::size_t i = 0; i < local.size(); ++i)
      for (int c = 0; c < count[i]; ++c) {
        item_w.push_back(local_load[i] / count[i]);
        item_e.push_back(local[i]);
      }
    // Step 3: replicas to the node's GPUs.
    const std::vector<int> gpu_of_item = pack_balanced(item_w, item_e, node_gpus);
    std::vector<int> fill(static_cast<std::size_t>(node_gpus), 0);
    for (std::size_t i = 0; i < item_e.size(); ++i) {
      const int q = gpu_of_item[i];
      const int slot = (n * node_gpus + q) * slots_per_gpu + fill[static_cast<std::size_t>(q)]++;
      slot_expert[static_cast<std::size_t>(slot)] = item_e[i];
    }
  }
  return slot_expert;
}

}  // namespace

std::vector<int> eplb_replica_counts(std::span<const double> expert_load, int slots, int max_replicas) {
  const std::size_t n = expert_load.size();
  DEEPSIM_ASSERT(slots >= static_cast<int>(n), "at least one slot per expert");
  std::vector<int> count(n, 1);
  for (int extra = static_cast<int>(n); extra < slots; ++extra) {
    std::size_t best = n;
    for (std::size_t e = 0; e < n; ++e)
      if (count[e] < max_replicas && (best == n || expert_load[e] / count[e] > expert_load[best] / count[best])) best = e;
    DEEPSIM_ASSERT(best < n, "slots fit within max_replicas per expert");
    ++count[best];
  }
  return count;
}

ExpertPlacement eplb_hierarchical(std::span<const double> expert_load, int expert_groups, int redundant,
                                  EpLayout layout) {
  const int experts = static_cast<int>(expert_load.size());
  return ExpertPlacement::from_slots(
      place(expert_load, expert_groups, layout.nodes(), layout.node_gpus(), experts + redundant), experts, layout);
}

ExpertPlacement eplb_global(std::span<const double> expert_load, int redundant, EpLayout layout) {
  const int experts = static_cast<int>(expert_load.size());
  return ExpertPlacement::from_slots(place(expert_load, 1, 1, layout.gpus, experts + redundant), experts, layout);
}

ExpertPlacement eplb_place(EplbPolicy policy, std::span<const double> expert_load, int expert_groups, int redundant,
                           EpLayout layout) {
  const int experts = static_cast<int>(expert_load.size());
  switch (policy) {
    case EplbPolicy::kNone:
      return ExpertPlacement::contiguous(experts, layout);
    case EplbPolicy::kHierarchical:
      if (expert_groups % layout.nodes() == 0) return eplb_hierarchical(expert_load, expert_groups, redundant, layout);
      return eplb_global(expert_load, redundant, layout);
    case EplbPolicy::kGlobal:
      return eplb_global(expert_load, redundant, layout);
  }
  return ExpertPlacement::contiguous(experts, layout);
}

}  // namespace deepsim
