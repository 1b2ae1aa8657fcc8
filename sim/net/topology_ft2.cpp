// Single-plane two-layer fat-tree: every NIC of every node under one leaf/spine tree, node-major.
#include "sim/net/topology.h"

namespace deepsim::topology_detail {

void build_ft2(Topology& f) {
  std::vector<int> nics;
  for (std::size_t i = 0; i < f.nic.size(); ++i) nics.push_back(static_cast<int>(i));
  f.leaves.resize(1);
  f.spines.resize(1);
  build_two_layer(f, nics, -1, f.leaves[0], f.spines[0]);
}

}  // namespace deepsim::topology_detail
