// What the scale-out network is made of, as the cost model prices it: a plain struct, filled from the
// topology builder's counts (sim/net/topology.h) or by hand in tests.
#pragma once

#include "sim/hw/cluster_spec.h"
#include "sim/net/topology.h"

namespace deepsim {

struct NetworkInventory {
  int nics = 0;            // scale-out NICs (storage and management NICs are in the node's price)
  int switches = 0;        // leaf + spine + core
  int transceivers = 0;    // optical transceivers, two per optical cable
  int optical_cables = 0;  // NIC-leaf and switch-switch cables
};

[[nodiscard]] NetworkInventory inventory_of(const TopologyCounts& counts);
// Builds the cluster's topology for its counts. Throws InputError when the cluster does not fit it.
[[nodiscard]] NetworkInventory network_inventory(const ClusterSpec& cluster);

}  // namespace deepsim
