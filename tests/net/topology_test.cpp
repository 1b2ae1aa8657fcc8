// Topology builders: switch, link and cable counts derived by hand, radix errors, bisection bandwidth,
// and link capacities from the hardware catalog.
#include <gtest/gtest.h>

#include <set>

#include "sim/core/error.h"
#include "sim/hw/catalog.h"
#include "sim/net/topology.h"

namespace deepsim {
namespace {

ClusterSpec cluster(int nodes, TopologyKind kind, int radix = 64, double oversub = 1.0, const char* gpu = "H800") {
  ClusterSpec c;
  c.gpu = *find_gpu(gpu);
  c.nic = *find_nic("cx7-ib-400g");
  c.nodes = nodes;
  c.topology.kind = kind;
  c.topology.switch_radix = radix;
  c.topology.oversubscription = oversub;
  c.topology.planes = 8;
  return c;
}

int connections(const Topology& t, LinkClass c) { return t.counts.connections[static_cast<std::size_t>(c)]; }

TEST(Topology, MpftOf2048GpusCountsByHand) {
  // 256 nodes: each of the 8 planes holds 256 NICs; radix-64 leaves have 32 down / 32 up ports, so a
  // plane has 256 / 32 = 8 leaves and 8 x 32 / 64 = 4 spines (each leaf-spine pair 32 / 4 = 8 cables).
  // Per plane 8 + 4 = 12 switches, 256 NIC-leaf and 8 x 32 = 256 leaf-spine cables; x 8 planes.
  const Topology t = build_topology(cluster(256, TopologyKind::kMultiPlaneFatTree));
  EXPECT_EQ(t.counts.gpus, 2048);
  EXPECT_EQ(t.counts.nics, 2048);
  EXPECT_EQ(t.counts.nvswitches, 256);
  EXPECT_EQ(t.counts.planes, 8);
  EXPECT_EQ(t.counts.leaf, 8 * 8);
  EXPECT_EQ(t.counts.spine, 8 * 4);
  EXPECT_EQ(t.counts.core, 0);
  EXPECT_EQ(connections(t, LinkClass::kNvlink), 2048);
  EXPECT_EQ(connections(t, LinkClass::kPcie), 2048);
  EXPECT_EQ(connections(t, LinkClass::kNicLeaf), 2048);
  EXPECT_EQ(connections(t, LinkClass::kLeafSpine), 8 * 8 * 32);
  // Optical rule: every NIC-leaf and switch-switch cable is optical, 2 transceivers each.
  EXPECT_EQ(t.counts.optical_cables, 2048 + 2048);
  EXPECT_EQ(t.counts.optical_transceivers, 2 * (2048 + 2048));
  // Ports: one leaf port per NIC, a leaf and a spine port per leaf-spine cable = 2048 + 2 x 2048 = 96 x 64.
  EXPECT_EQ(t.counts.switch_ports_used, 96 * 64);
  // Directed links: two per edge; leaf-spine cables are bundled per (leaf, spine): 8 x 8 x 4 edges.
  EXPECT_EQ(t.links.size(), 2u * (3 * 2048 + 8 * 8 * 4));
  EXPECT_EQ(boost::num_vertices(t.graph), 2048u + 256 + 2048 + 96);
  // Non-blocking: bisection = half the NICs at 40 GB/s = 1024 x 40 GB/s; the leaf-spine layer carries
  // 2048 / 2 cables x 40 GB/s, the same.
  EXPECT_DOUBLE_EQ(t.bisection_bandwidth().gb_per_s(), 1024 * 40.0);
}

TEST(Topology, MpftScalesTo16384GpusWithTwoLayers) {
  // ISCA 5.1: 64 leaves x 32 NICs = 2048 NICs per plane, 8 planes = 16,384 GPUs; per plane 64 leaves and
  // 64 x 32 / 64 = 32 spines, so 96 x 8 switches. One more node needs a 65th leaf: error.
  const Topology t = build_topology(cluster(2048, TopologyKind::kMultiPlaneFatTree));
  EXPECT_EQ(t.counts.gpus, 16384);
  EXPECT_EQ(t.counts.switches(), 96 * 8);
  EXPECT_THROW((void)build_topology(cluster(2049, TopologyKind::kMultiPlaneFatTree)), InputError);
}

TEST(Topology, MrftSharesSpinesAcrossRails) {
  // 256 nodes, radix 64: 8 rails x 8 leaves = 64 leaves on one spine layer of 64 x 32 / 64 = 32 spines.
  // The same switch count as the MPFT, but only 64 leaves fit one spine layer: 2048 GPUs at most.
  const Topology t = build_topology(cluster(256, TopologyKind::kMultiRailFatTree));
  EXPECT_EQ(t.counts.leaf, 64);
  EXPECT_EQ(t.counts.spine, 32);
  EXPECT_EQ(t.spines.size(), 1u);
  EXPECT_EQ(connections(t, LinkClass::kLeafSpine), 64 * 32);
  EXPECT_THROW((void)build_topology(cluster(257, TopologyKind::kMultiRailFatTree)), InputError);
}

TEST(Topology, SinglePlaneTwoLayerAndItsRadixLimit) {
  // 2048 NICs under one tree: 64 leaves, 32 spines (the radix-64 maximum); 257 nodes do not fit.
  const Topology t = build_topology(cluster(256, TopologyKind::kFatTree2));
  EXPECT_EQ(t.counts.leaf, 64);
  EXPECT_EQ(t.counts.spine, 32);
  EXPECT_EQ(t.counts.planes, 1);
  EXPECT_THROW((void)build_topology(cluster(257, TopologyKind::kFatTree2)), InputError);
}

TEST(Topology, OversubscriptionCutsUplinksAndBisection) {
  // 3:1 at radix 64: up = floor(64 / 4) = 16, down = 48. 96 nodes = 768 NICs -> 16 leaves, 16 x 16 / 64 =
  // 4 spines, 256 leaf-spine cables. Bisection = min(384 x 40, 256 / 2 x 40) = 5120 GB/s = NIC half / 3.
  const Topology t = build_topology(cluster(96, TopologyKind::kFatTree2, 64, 3.0));
  EXPECT_EQ(t.counts.leaf, 16);
  EXPECT_EQ(t.counts.spine, 4);
  EXPECT_EQ(connections(t, LinkClass::kLeafSpine), 256);
  EXPECT_DOUBLE_EQ(t.bisection_bandwidth().gb_per_s(), 5120.0);
}

TEST(Topology, ThreeLayerCountsByHand) {
  // Radix 16, 64 nodes = 512 NICs: leaves 8 down / 8 up -> 64 leaves; 8 leaves per pod -> 8 pods of
  // 8 aggregation switches (one cable from every leaf to every aggregation switch of its pod: 64 x 8 =
  // 512); each aggregation switch has 8 up-links: 64 x 8 = 512 cables onto 512 / 16 = 32 cores.
  const Topology t = build_topology(cluster(64, TopologyKind::kFatTree3, 16));
  EXPECT_EQ(t.counts.leaf, 64);
  EXPECT_EQ(t.counts.spine, 64);
  EXPECT_EQ(t.counts.core, 32);
  EXPECT_EQ(connections(t, LinkClass::kLeafSpine), 512);
  EXPECT_EQ(connections(t, LinkClass::kSpineCore), 512);
  EXPECT_EQ(t.counts.optical_cables, 512 * 3);
  // Non-blocking: 256 x 40 GB/s across any even split.
  EXPECT_DOUBLE_EQ(t.bisection_bandwidth().gb_per_s(), 256 * 40.0);
  // A radix-16 three-layer tree has at most 16 pods of 64 NICs: 1024 NICs = 128 nodes.
  EXPECT_NO_THROW((void)build_topology(cluster(128, TopologyKind::kFatTree3, 16)));
  EXPECT_THROW((void)build_topology(cluster(129, TopologyKind::kFatTree3, 16)), InputError);
}

TEST(Topology, MpftPlanesMustMatchNicsPerNode) {
  ClusterSpec c = cluster(4, TopologyKind::kMultiPlaneFatTree);
  c.topology.planes = 4;
  EXPECT_THROW((void)build_topology(c), InputError);
}

TEST(Topology, FewerNicsThanGpusAreShared) {
  // 4 NICs per node: GPUs 2i and 2i+1 share NIC i (and plane i).
  ClusterSpec c = cluster(2, TopologyKind::kMultiPlaneFatTree);
  c.nics_per_node = 4;
  c.topology.planes = 4;
  const Topology t = build_topology(c);
  EXPECT_EQ(t.counts.nics, 8);
  EXPECT_EQ(connections(t, LinkClass::kPcie), 16);
  EXPECT_EQ(t.nic_of_gpu(0), 0);
  EXPECT_EQ(t.nic_of_gpu(1), 0);
  EXPECT_EQ(t.nic_of_gpu(7), 3);
  EXPECT_EQ(t.nic_of_gpu(8 + 5), 4 + 2);
}

TEST(Topology, LinkCapacitiesAreNominalTimesTheCatalogFraction) {
  // Every GPU has one NVLink edge (to its NVSwitch) and one PCIe edge; capacities per direction:
  // H800 NVLink 200 x 0.8 = 160 GB/s, B200 900 x 0.8 = 720 GB/s; PCIe Gen5 64 x 0.85 = 54.4 GB/s;
  // NIC 50 x 0.8 = 40 GB/s.
  for (const auto& [gpu, nvl] : {std::pair{"H800", 160.0}, std::pair{"B200", 720.0}}) {
    const Topology t = build_topology(cluster(2, TopologyKind::kMultiPlaneFatTree, 64, 1.0, gpu));
    for (TopologyVertexId g : t.gpu) {
      EXPECT_EQ(boost::degree(g, t.graph), 2u);
      const TopologyVertexId sw = t.nvswitch[static_cast<std::size_t>(t.graph[g].node)];
      EXPECT_NEAR(t.links[t.link(g, sw)].capacity.gb_per_s(), nvl, 1e-9);
      EXPECT_NEAR(t.links[t.link(sw, g)].capacity.gb_per_s(), nvl, 1e-9);
    }
    for (const Link& l : t.links.all()) {
      if (l.cls == LinkClass::kPcie) {
        EXPECT_NEAR(l.capacity.gb_per_s(), 54.4, 1e-9);
      } else if (l.cls == LinkClass::kNicLeaf) {
        EXPECT_NEAR(l.capacity.gb_per_s(), 40.0, 1e-9);
      }
    }
  }
}

TEST(Topology, EveryEdgeHasTwoDistinctDirectedLinks) {
  const Topology t = build_topology(cluster(8, TopologyKind::kFatTree3, 8));
  std::set<std::uint32_t> seen;
  for (auto [e, end] = boost::edges(t.graph); e != end; ++e) {
    EXPECT_TRUE(seen.insert(t.graph[*e].forward.value()).second);
    EXPECT_TRUE(seen.insert(t.graph[*e].backward.value()).second);
  }
  EXPECT_EQ(seen.size(), t.links.size());
}

}  // namespace
}  // namespace deepsim
