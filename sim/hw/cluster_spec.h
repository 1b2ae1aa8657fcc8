// ClusterSpec: the `cluster:` section of a scenario, resolved against the hardware catalog.
#pragma once

#include <string>

#include "sim/hw/gpu_spec.h"

namespace deepsim {

enum class TopologyKind {
  kMultiPlaneFatTree,  // "mpft": NIC i of every node in plane i; each plane a two-layer fat-tree
  kMultiRailFatTree,   // "mrft": one two-layer fat-tree, NIC i of every node on rail (leaf group) i
  kFatTree2,           // "ft2": one single-plane two-layer fat-tree
  kFatTree3,           // "ft3": one single-plane three-layer fat-tree
};

[[nodiscard]] const char* to_string(TopologyKind k);

struct TopologySpec {
  TopologyKind kind = TopologyKind::kMultiPlaneFatTree;
  int switch_radix = 64;          // ports per switch
  double oversubscription = 1.0;  // leaf down-ports : up-ports (1 = non-blocking)
  int planes = 8;                 // MPFT only: independent planes (= NICs per node)

  bool operator==(const TopologySpec&) const = default;
};

struct ClusterSpec {
  GpuSpec gpu;                    // resolved from the catalog, with scenario overrides applied
  NicSpec nic;                    // resolved from the catalog
  int nodes = 0;
  int gpus_per_node = 8;
  int nics_per_node = 8;
  TopologySpec topology;

  [[nodiscard]] int total_gpus() const { return nodes * gpus_per_node; }

  bool operator==(const ClusterSpec&) const = default;
};

}  // namespace deepsim
