// Multi-rail two-layer fat-tree: one fabric in which NIC i of every node sits on rail i (its own leaves),
// and every leaf of every rail connects to a shared layer of spines, so rails do meet at the spines.
#include "sim/core/error.h"
#include "sim/net/topology.h"

namespace deepsim::topology_detail {

void build_mrft(Topology& f) {
  const ClusterSpec& c = f.cluster;
  const TopologySpec& t = c.topology;
  int down = 0, up = 0;
  leaf_ports(t, down, up);
  const int rails = c.nics_per_node;
  const int per_rail = (c.nodes + down - 1) / down;
  const int total = per_rail * rails;
  if (total > t.switch_radix && per_rail > 0 && total > 1)
    throw InputError({}, "cluster.topology",
                     "a multi-rail two-layer fat-tree of radix " + std::to_string(t.switch_radix) + " connects at most " +
                         std::to_string(t.switch_radix) + " leaves; this cluster needs " + std::to_string(total),
                     "use mpft (one tree per plane) or ft3");
  const Bandwidth nic_bw = c.nic.line_rate * c.nic.achievable;
  const Time nic_leaf = c.nic.latency_same_leaf / 2;
  const Time leaf_spine = (c.nic.latency_cross_leaf - c.nic.latency_same_leaf) / 2;
  f.leaves.resize(static_cast<std::size_t>(rails));
  f.spines.resize(1);
  for (int r = 0; r < rails; ++r) {
    auto& leaves = f.leaves[static_cast<std::size_t>(r)];
    for (int i = 0; i < per_rail; ++i) leaves.push_back(add_vertex(f, {VertexKind::kLeaf, -1, -1, r, -1}));
    for (int n = 0; n < c.nodes; ++n) {
      const auto nic = static_cast<std::size_t>(n * rails + r);
      const auto leaf = static_cast<std::size_t>(n / down);
      connect(f, f.nic[nic], leaves[leaf], LinkClass::kNicLeaf, nic_bw, c.nic.line_rate, nic_leaf, 1, r);
      f.nic_leaf[nic] = static_cast<int>(leaf);
    }
  }
  f.counts.leaf += total;
  f.counts.planes = 1;
  if (total <= 1) return;
  const int nspines = (total * up + t.switch_radix - 1) / t.switch_radix;
  for (int s = 0; s < nspines; ++s) f.spines[0].push_back(add_vertex(f, {VertexKind::kSpine, -1, -1, -1, -1}));
  for (const auto& leaves : f.leaves) {
    for (TopologyVertexId leaf : leaves) {
      for (int s = 0; s < nspines; ++s) {
        const int cables = up / nspines + (s < up % nspines ? 1 : 0);
        if (cables > 0)
          connect(f, leaf, f.spines[0][static_cast<std::size_t>(s)], LinkClass::kLeafSpine, nic_bw, c.nic.line_rate,
                  leaf_spine, cables);
      }
    }
  }
  f.counts.spine += nspines;
}

}  // namespace deepsim::topology_detail
