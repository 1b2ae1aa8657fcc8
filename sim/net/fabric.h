// Compatibility names for code written against the earlier "Fabric" spelling of the network topology
// (sim/step, sim/cli). New code includes sim/net/topology.h; this header can go once callers migrate.
#pragma once

#include "sim/net/topology.h"

namespace deepsim {

using Fabric = Topology;
using FabricCounts = TopologyCounts;
using FabricVertexId = TopologyVertexId;

[[nodiscard]] inline Topology build_fabric(const ClusterSpec& cluster) { return build_topology(cluster); }

}  // namespace deepsim
