// Topology: a cluster's network as a Boost.Graph graph plus the LinkTable the flow model shares.
// Vertices are GPUs, each node's NVSwitch (a non-blocking crossbar), NICs and switches (leaf, spine, core);
// every edge is a full-duplex connection and carries two LinkIds, one per direction, with the achievable
// capacity of that direction (nominal x the catalog's achievable fraction). Parallel cables between two
// switches are bundled into one edge of k x the capacity (ECMP over a bundle is taken as perfectly
// balanced); the counts still count every cable.
// Per-link latencies are set so a path's summed latency is the published end-to-end figure of its class
// (ISCA Table 5, reference R6): NVLink GPU->GPU 3.33 us; IB same leaf 2.8 us; IB cross leaf 3.7 us.
// Builders: one file each (topology_mpft.cpp, topology_mrft.cpp, topology_ft2.cpp, topology_ft3.cpp).
#pragma once

#include <array>
#include <boost/graph/adjacency_list.hpp>
#include <string>
#include <vector>

#include "sim/hw/cluster_spec.h"
#include "sim/net/link.h"

namespace deepsim {

enum class VertexKind : std::uint8_t { kGpu, kNvSwitch, kNic, kLeaf, kSpine, kCore };
[[nodiscard]] const char* to_string(VertexKind k);

struct TopologyVertex {
  VertexKind kind = VertexKind::kGpu;
  int node = -1;   // GPUs, NVSwitches, NICs
  int local = -1;  // GPU / NIC index inside the node
  int plane = -1;  // MPFT plane (or MRFT rail) of a NIC or switch; -1 for shared switches
  int pod = -1;    // FT3 pod
};

struct TopologyEdge {
  LinkId forward;   // from the lower-numbered vertex to the higher
  LinkId backward;  // the other direction
  int cables = 1;   // physical cables bundled in this edge
};

using TopologyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, TopologyVertex, TopologyEdge>;
using TopologyVertexId = TopologyGraph::vertex_descriptor;

// What the cost model prices (docs/network.md states the cabling rule).
struct TopologyCounts {
  int nodes = 0, gpus = 0, nics = 0, nvswitches = 0, planes = 1;
  int leaf = 0, spine = 0, core = 0;
  int switch_ports_used = 0;
  std::array<int, kLinkClassCount> connections{};  // full-duplex connections (cables) per link class
  int optical_cables = 0;        // NIC-leaf and switch-switch cables (400G optics in DeepSeek's MPFT)
  int optical_transceivers = 0;  // two per optical cable
  int copper_cables = 0;         // inside the node (NVLink, PCIe): none counted as cables to buy
  [[nodiscard]] int switches() const { return leaf + spine + core; }
};

struct Topology {
  ClusterSpec cluster;
  TopologyGraph graph;
  LinkTable links;
  TopologyCounts counts;
  std::vector<TopologyVertexId> gpu;       // by global GPU id
  std::vector<TopologyVertexId> nvswitch;  // by node
  std::vector<TopologyVertexId> nic;       // by node * nics_per_node + local
  // Switches by layer: leaves[plane][i] (one plane for single-plane fabrics), spines[plane][j], cores.
  std::vector<std::vector<TopologyVertexId>> leaves, spines;
  std::vector<TopologyVertexId> cores;
  std::vector<int> nic_leaf;             // leaf index (within its plane) of every NIC

  // Directed link from `a` to `b` (they must be adjacent).
  [[nodiscard]] LinkId link(TopologyVertexId a, TopologyVertexId b) const;
  [[nodiscard]] int node_of(int gpu_id) const { return gpu_id / cluster.gpus_per_node; }
  [[nodiscard]] int local_of(int gpu_id) const { return gpu_id % cluster.gpus_per_node; }
  [[nodiscard]] int nic_of_gpu(int gpu_id) const;  // global NIC index serving a GPU
  // Bisection bandwidth: achievable bytes/s across an even split of the nodes that puts half of every
  // leaf group (plane, rail, pod) on each side; the fat-tree min-cut of the layers such a split crosses:
  //   min(NICs/2 x b_nic, [>1 leaf per group] leaf-spine cables/2 x b, [>1 pod] spine-core cables/2 x b)
  // with b the achievable bandwidth of one 400G cable.
  [[nodiscard]] Bandwidth bisection_bandwidth() const;
};

// Builds the fabric of a cluster. Throws InputError when the cluster does not fit the topology (radix).
[[nodiscard]] Topology build_topology(const ClusterSpec& cluster);

// Builder internals shared by the topology files (topology_*.cpp).
namespace topology_detail {
TopologyVertexId add_vertex(Topology& f, TopologyVertex v);
// Adds a full-duplex connection of `cables` cables of `per_cable` achievable (and `nominal`) bandwidth.
void connect(Topology& f, TopologyVertexId a, TopologyVertexId b, LinkClass cls, Bandwidth per_cable, Bandwidth nominal,
             Time latency, int cables = 1, int plane = -1);
void build_nodes(Topology& f);                      // GPUs, NVSwitches, NICs and their links
// Leaf down / up ports for a radix and an oversubscription ratio (down : up).
void leaf_ports(const TopologySpec& t, int& down, int& up);
// A two-layer leaf/spine tree over `nics` (global NIC indices); returns leaves and spines (appended to f).
void build_two_layer(Topology& f, const std::vector<int>& nics, int plane, std::vector<TopologyVertexId>& leaves,
                     std::vector<TopologyVertexId>& spines);
void build_mpft(Topology& f);
void build_mrft(Topology& f);
void build_ft2(Topology& f);
void build_ft3(Topology& f);
}  // namespace topology_detail

}  // namespace deepsim
