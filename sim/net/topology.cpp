#include "sim/net/topology.h"

#include <algorithm>
#include <cmath>

#include "sim/core/error.h"
#include "sim/hw/catalog.h"

namespace deepsim {

const char* to_string(VertexKind k) {
  switch (k) {
    case VertexKind::kGpu: return "gpu";
    case VertexKind::kNvSwitch: return "nvswitch";
    case VertexKind::kNic: return "nic";
    case VertexKind::kLeaf: return "leaf";
    case VertexKind::kSpine: return "spine";
    case VertexKind::kCore: return "core";
  }
  return "?";
}

LinkId Topology::link(TopologyVertexId a, TopologyVertexId b) const {
  const auto [e, found] = boost::edge(a, b, graph);
  DEEPSIM_ASSERT(found, "no link between these vertices");
  return a < b ? graph[e].forward : graph[e].backward;
}

int Topology::nic_of_gpu(int gpu_id) const {
  const int g = cluster.gpus_per_node, n = cluster.nics_per_node;
  return node_of(gpu_id) * n + local_of(gpu_id) * n / g;
}

Bandwidth Topology::bisection_bandwidth() const {
  const double b = (cluster.nic.line_rate * cluster.nic.achievable).bytes_per_s();
  const auto cables = [&](LinkClass c) { return counts.connections[static_cast<std::size_t>(c)]; };
  double cut = b * counts.nics / 2.0;
  std::size_t leaves_per_group = 0;
  for (const auto& group : leaves) leaves_per_group = std::max(leaves_per_group, group.size());
  if (leaves_per_group > 1) cut = std::min(cut, b * cables(LinkClass::kLeafSpine) / 2.0);
  if (counts.core > 0 && spines.size() > 1) cut = std::min(cut, b * cables(LinkClass::kSpineCore) / 2.0);
  return Bandwidth::bytes_per_s(cut);
}

namespace topology_detail {

TopologyVertexId add_vertex(Topology& f, TopologyVertex v) {
  // Not add_vertex(property, graph): its named-graph lookup trips GCC 12's -Wuninitialized inside
  // boost::optional under sanitizer builds.
  const TopologyVertexId id = boost::add_vertex(f.graph);
  f.graph[id] = v;
  return id;
}

void connect(Topology& f, TopologyVertexId a, TopologyVertexId b, LinkClass cls, Bandwidth per_cable, Bandwidth nominal,
             Time latency, int cables, int plane) {
  const double k = cables;
  const Link l{cls, per_cable * k, nominal * k, latency, plane};
  TopologyEdge e;
  e.forward = f.links.add(l);
  e.backward = f.links.add(l);
  e.cables = cables;
  boost::add_edge(std::min(a, b), std::max(a, b), e, f.graph);
  f.counts.connections[static_cast<std::size_t>(cls)] += cables;
  if (cls == LinkClass::kNicLeaf || cls == LinkClass::kLeafSpine || cls == LinkClass::kSpineCore) {
    f.counts.optical_cables += cables;
    f.counts.optical_transceivers += 2 * cables;
    f.counts.switch_ports_used += cls == LinkClass::kNicLeaf ? cables : 2 * cables;
  }
}

void build_nodes(Topology& f) {
  const ClusterSpec& c = f.cluster;
  const Bandwidth nvl = c.gpu.nvlink_per_direction * c.gpu.nvlink_achievable;
  const Bandwidth pcie = c.gpu.pcie_per_direction * c.gpu.pcie_achievable;
  const Time nvl_hop = nvlink_hop_latency() / 2;  // GPU -> switch -> GPU sums to the published 3.33 us
  for (int n = 0; n < c.nodes; ++n) {
    const TopologyVertexId sw = add_vertex(f, {VertexKind::kNvSwitch, n, -1, -1, -1});
    f.nvswitch.push_back(sw);
    for (int i = 0; i < c.nics_per_node; ++i)
      f.nic.push_back(add_vertex(f, {VertexKind::kNic, n, i, i, -1}));
    for (int l = 0; l < c.gpus_per_node; ++l) {
      const TopologyVertexId g = add_vertex(f, {VertexKind::kGpu, n, l, -1, -1});
      f.gpu.push_back(g);
      connect(f, g, sw, LinkClass::kNvlink, nvl, c.gpu.nvlink_per_direction, nvl_hop);
      const int nic = n * c.nics_per_node + l * c.nics_per_node / c.gpus_per_node;
      connect(f, g, f.nic[static_cast<std::size_t>(nic)], LinkClass::kPcie, pcie, c.gpu.pcie_per_direction, Time::zero());
    }
  }
  f.counts.nodes = c.nodes;
  f.counts.gpus = c.total_gpus();
  f.counts.nics = c.nodes * c.nics_per_node;
  f.counts.nvswitches = c.nodes;
  f.nic_leaf.assign(f.nic.size(), -1);
}

void leaf_ports(const TopologySpec& t, int& down, int& up) {
  // down : up = oversubscription, down + up = radix.
  up = static_cast<int>(std::floor(t.switch_radix / (1.0 + t.oversubscription)));
  up = std::max(1, up);
  down = t.switch_radix - up;
}

void build_two_layer(Topology& f, const std::vector<int>& nics, int plane, std::vector<TopologyVertexId>& leaves,
                     std::vector<TopologyVertexId>& spines) {
  const ClusterSpec& c = f.cluster;
  const TopologySpec& t = c.topology;
  int down = 0, up = 0;
  leaf_ports(t, down, up);
  const auto n = static_cast<int>(nics.size());
  const int nleaves = (n + down - 1) / down;
  if (nleaves > t.switch_radix)
    throw InputError({}, "cluster.topology",
                     std::to_string(n) + " NICs in one plane need " + std::to_string(nleaves) + " leaves, but a two-layer "
                         "fat-tree of radix " + std::to_string(t.switch_radix) + " connects at most " +
                         std::to_string(t.switch_radix) + " leaves",
                     "use more planes, a larger radix, or topology kind ft3");
  const Bandwidth nic_bw = c.nic.line_rate * c.nic.achievable;
  const Time nic_leaf = c.nic.latency_same_leaf / 2;
  const Time leaf_spine = (c.nic.latency_cross_leaf - c.nic.latency_same_leaf) / 2;
  for (int i = 0; i < nleaves; ++i) leaves.push_back(add_vertex(f, {VertexKind::kLeaf, -1, -1, plane, -1}));
  for (int i = 0; i < n; ++i) {
    const auto leaf = static_cast<std::size_t>(i / down);
    const auto nic = static_cast<std::size_t>(nics[static_cast<std::size_t>(i)]);
    connect(f, f.nic[nic], leaves[leaf], LinkClass::kNicLeaf, nic_bw, c.nic.line_rate, nic_leaf, 1, plane);
    f.nic_leaf[nic] = static_cast<int>(leaf);
  }
  f.counts.leaf += nleaves;
  if (nleaves == 1) return;
  const int nspines = (nleaves * up + t.switch_radix - 1) / t.switch_radix;
  for (int s = 0; s < nspines; ++s) spines.push_back(add_vertex(f, {VertexKind::kSpine, -1, -1, plane, -1}));
  for (std::size_t l = 0; l < leaves.size(); ++l) {
    for (int s = 0; s < nspines; ++s) {
      const int cables = up / nspines + (s < up % nspines ? 1 : 0);
      if (cables > 0)
        connect(f, leaves[l], spines[static_cast<std::size_t>(s)], LinkClass::kLeafSpine, nic_bw, c.nic.line_rate,
                leaf_spine, cables, plane);
    }
  }
  f.counts.spine += nspines;
}

}  // namespace topology_detail

Topology build_topology(const ClusterSpec& cluster) {
  Topology f;
  f.cluster = cluster;
  topology_detail::build_nodes(f);
  switch (cluster.topology.kind) {
    case TopologyKind::kMultiPlaneFatTree: topology_detail::build_mpft(f); break;
    case TopologyKind::kMultiRailFatTree: topology_detail::build_mrft(f); break;
    case TopologyKind::kFatTree2: topology_detail::build_ft2(f); break;
    case TopologyKind::kFatTree3: topology_detail::build_ft3(f); break;
  }
  return f;
}

}  // namespace deepsim
