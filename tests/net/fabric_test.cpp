#include <gtest/gtest.h>

#include <set>

#include "sim/core/error.h"
#include "sim/hw/catalog.h"
#include "sim/net/fabric.h"
#include "sim/net/routing.h"

namespace deepsim {
namespace {

ClusterSpec cluster(int nodes, TopologyKind kind, int radix = 64, double oversub = 1.0) {
  ClusterSpec c;
  c.gpu = *find_gpu("H800");
  c.nic = *find_nic("cx7-ib-400g");
  c.nodes = nodes;
  c.topology.kind = kind;
  c.topology.switch_radix = radix;
  c.topology.oversubscription = oversub;
  c.topology.planes = 8;
  return c;
}

TEST(Fabric, MpftOf2048GpusCountsByHand) {
  // 256 nodes: each of the 8 planes holds 256 NICs; radix 64 leaves have 32 down / 32 up ports, so
  // 256 / 32 = 8 leaves per plane and 8 x 32 / 64 = 4 spines per plane (each leaf-spine pair 8 cables).
  const Fabric f = build_fabric(cluster(256, TopologyKind::kMultiPlaneFatTree));
  EXPECT_EQ(f.counts.gpus, 2048);
  EXPECT_EQ(f.counts.nics, 2048);
  EXPECT_EQ(f.counts.leaf, 64);
  EXPECT_EQ(f.counts.spine, 32);
  EXPECT_EQ(f.counts.core, 0);
  EXPECT_EQ(f.counts.connections[static_cast<std::size_t>(LinkClass::kNicLeaf)], 2048);
  EXPECT_EQ(f.counts.connections[static_cast<std::size_t>(LinkClass::kLeafSpine)], 8 * 8 * 32);
  EXPECT_EQ(f.counts.optical_transceivers, 2 * (2048 + 2048));
  // Non-blocking: bisection = half the NICs' achievable bandwidth = 1024 x 40 GB/s.
  EXPECT_DOUBLE_EQ(f.bisection().gb_per_s(), 1024 * 40.0);
}

TEST(Fabric, MpftScalesTo16384GpusWithTwoLayers) {
  // ISCA 5.1: a two-layer MPFT of 64-port switches reaches 16,384 GPUs: 2048 NICs per plane = 64 leaves
  // and 32 spines per plane, 96 switches x 8 planes.
  const Fabric f = build_fabric(cluster(2048, TopologyKind::kMultiPlaneFatTree));
  EXPECT_EQ(f.counts.switches(), 96 * 8);
  EXPECT_THROW((void)build_fabric(cluster(2049, TopologyKind::kMultiPlaneFatTree)), InputError);
}

TEST(Fabric, OversubscriptionHalvesUplinks) {
  // 3:1 at radix 64: 48 down, 16 up.
  const Fabric f = build_fabric(cluster(96, TopologyKind::kFatTree2, 64, 3.0));
  EXPECT_EQ(f.counts.leaf, 768 / 48);
  EXPECT_EQ(f.counts.connections[static_cast<std::size_t>(LinkClass::kLeafSpine)], 16 * 16);
}

TEST(Fabric, ThreeLayerHasCores) {
  const Fabric f = build_fabric(cluster(64, TopologyKind::kFatTree3, 16));
  EXPECT_GT(f.counts.core, 0);
  EXPECT_EQ(f.counts.leaf, 512 / 8);
}

TEST(Routing, PathsAndLatenciesByClass) {
  const Fabric f = build_fabric(cluster(64, TopologyKind::kMultiPlaneFatTree));
  Router r(f, RoutingPolicy::kEcmp);
  // Same node: two NVLink hops, 3.33 us (R6).
  const Route same = r.route(0, 5);
  ASSERT_EQ(same.links.size(), 2u);
  EXPECT_EQ(same.latency, Time::ns(3330));
  // Same plane, same leaf (nodes 0 and 1 share a leaf): PCIe, NIC-leaf, leaf-NIC, PCIe: 2.8 us.
  EXPECT_EQ(r.route(0, 8).latency, Time::ns(2800));
  // Same plane, other leaf (node 40 is under leaf 1): through a spine, 3.7 us.
  EXPECT_EQ(r.route(0, 40 * 8).latency, Time::ns(3700));
  // Another plane: NVLink forwarding first (3.33 us) then IB in the destination's plane.
  EXPECT_EQ(r.route(0, 40 * 8 + 3).latency, Time::ns(3330 + 3700));
}

TEST(Routing, MpftCrossPlaneTrafficNeverUsesAnotherPlanesSwitches) {
  const Fabric f = build_fabric(cluster(64, TopologyKind::kMultiPlaneFatTree));
  Router r(f, RoutingPolicy::kEcmp);
  for (int src = 0; src < 64 * 8; src += 7) {
    for (int dst = 0; dst < 64 * 8; dst += 13) {
      if (src == dst) continue;
      const int plane = dst % 8;
      for (LinkId l : r.route(src, dst, 1).links) {
        const Link& link = f.links[l];
        if (link.cls == LinkClass::kNicLeaf || link.cls == LinkClass::kLeafSpine) {
          EXPECT_EQ(link.plane, plane);
        }
      }
    }
  }
}

TEST(Routing, AdaptiveSpreadsOverSpines) {
  // Two leaves per plane with 32 spines... 64 nodes -> 2 leaves, 1 spine per plane at radix 64; use
  // radix 16: 8 down, 8 up; 64 nodes -> 8 leaves, 4 spines per plane. Four equal flows between the same
  // two leaves take four different spines under adaptive routing.
  const Fabric f = build_fabric(cluster(64, TopologyKind::kMultiPlaneFatTree, 16));
  Router r(f, RoutingPolicy::kAdaptive);
  std::set<std::uint32_t> spine_links;
  for (int i = 0; i < 4; ++i) {
    const Route rt = r.route(0, 63 * 8, static_cast<std::uint64_t>(i), 1e6);
    for (LinkId l : rt.links)
      if (f.links[l].cls == LinkClass::kLeafSpine) spine_links.insert(l.value());
  }
  EXPECT_EQ(spine_links.size(), 8u);  // 4 spines x (up link + down link)
}

}  // namespace
}  // namespace deepsim
