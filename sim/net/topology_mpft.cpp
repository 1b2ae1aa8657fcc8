// Multi-plane two-layer fat-tree (DeepSeek-V3's fabric, ISCA 5.1): NIC i of every node sits in plane i;
// each plane is its own leaf/spine fat-tree of radix-k switches; planes never meet.
#include "sim/core/error.h"
#include "sim/net/topology.h"

namespace deepsim::topology_detail {

void build_mpft(Topology& f) {
  const ClusterSpec& c = f.cluster;
  const int planes = c.nics_per_node;
  if (c.topology.planes != planes)
    throw InputError({}, "cluster.topology.planes", "an MPFT has one plane per NIC: planes must equal nics_per_node (" +
                                                        std::to_string(planes) + ")");
  f.counts.planes = planes;
  f.leaves.resize(static_cast<std::size_t>(planes));
  f.spines.resize(static_cast<std::size_t>(planes));
  for (int p = 0; p < planes; ++p) {
    std::vector<int> nics;
    for (int n = 0; n < c.nodes; ++n) nics.push_back(n * planes + p);
    build_two_layer(f, nics, p, f.leaves[static_cast<std::size_t>(p)], f.spines[static_cast<std::size_t>(p)]);
  }
}

}  // namespace deepsim::topology_detail
