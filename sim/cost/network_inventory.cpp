#include "sim/cost/network_inventory.h"

namespace deepsim {

NetworkInventory inventory_of(const TopologyCounts& counts) {
  return {counts.nics, counts.switches(), counts.optical_transceivers, counts.optical_cables};
}

NetworkInventory network_inventory(const ClusterSpec& cluster) { return inventory_of(build_topology(cluster).counts); }

}  // namespace deepsim
