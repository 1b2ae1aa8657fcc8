// Routing: paths are connected chains of directed links from the source GPU to the destination GPU,
// take the hops the node and fabric model prescribe, stay in the destination's plane on an MPFT, and
// carry the published end-to-end latency of their class (R6).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sim/hw/catalog.h"
#include "sim/net/routing.h"
#include "sim/net/topology.h"

namespace deepsim {
namespace {

ClusterSpec cluster(int nodes, TopologyKind kind, int radix = 64) {
  ClusterSpec c;
  c.gpu = *find_gpu("H800");
  c.nic = *find_nic("cx7-ib-400g");
  c.nodes = nodes;
  c.topology.kind = kind;
  c.topology.switch_radix = radix;
  c.topology.planes = 8;
  return c;
}

// (from, to) vertices of every directed link.
std::map<std::uint32_t, std::pair<TopologyVertexId, TopologyVertexId>> link_ends(const Topology& t) {
  std::map<std::uint32_t, std::pair<TopologyVertexId, TopologyVertexId>> ends;
  for (auto [e, end] = boost::edges(t.graph); e != end; ++e) {
    const auto a = std::min(boost::source(*e, t.graph), boost::target(*e, t.graph));
    const auto b = std::max(boost::source(*e, t.graph), boost::target(*e, t.graph));
    ends[t.graph[*e].forward.value()] = {a, b};
    ends[t.graph[*e].backward.value()] = {b, a};
  }
  return ends;
}

// Checks one route of a small cluster: a chain from src to dst that visits no vertex twice.
void expect_chain(const Topology& t, const std::map<std::uint32_t, std::pair<TopologyVertexId, TopologyVertexId>>& ends,
                  const Route& r, int src, int dst) {
  ASSERT_FALSE(r.links.empty());
  TopologyVertexId at = t.gpu[static_cast<std::size_t>(src)];
  std::set<TopologyVertexId> visited{at};
  for (LinkId l : r.links) {
    const auto& [from, to] = ends.at(l.value());
    ASSERT_EQ(from, at);
    EXPECT_TRUE(visited.insert(to).second) << "a route visits a vertex twice";
    at = to;
  }
  EXPECT_EQ(at, t.gpu[static_cast<std::size_t>(dst)]);
}

TEST(Routing, PathsAndLatenciesByClass) {
  // 64 nodes, radix 64: 2 leaves per plane (32 nodes each) and 1 spine.
  const Topology t = build_topology(cluster(64, TopologyKind::kMultiPlaneFatTree));
  Router r(t, RoutingPolicy::kEcmp);
  // Same node: two NVLink hops (GPU -> NVSwitch -> GPU), 3.33 us (R6).
  const Route same = r.route(0, 5);
  ASSERT_EQ(same.links.size(), 2u);
  EXPECT_EQ(t.links[same.links[0]].cls, LinkClass::kNvlink);
  EXPECT_EQ(t.links[same.links[1]].cls, LinkClass::kNvlink);
  EXPECT_EQ(same.latency, Time::ns(3330));
  // Same plane, same leaf (nodes 0 and 1): PCIe, NIC-leaf, leaf-NIC, PCIe; IB same leaf 2.8 us.
  EXPECT_EQ(r.route(0, 8).links.size(), 4u);
  EXPECT_EQ(r.route(0, 8).latency, Time::ns(2800));
  // Same plane, other leaf (node 40): through a spine, 6 links, IB cross leaf 3.7 us.
  EXPECT_EQ(r.route(0, 40 * 8).links.size(), 6u);
  EXPECT_EQ(r.route(0, 40 * 8).latency, Time::ns(3700));
  // Another plane: NVLink forwarding to GPU 3 of node 0 (3.33 us), then IB in plane 3 (3.7 us).
  EXPECT_EQ(r.route(0, 40 * 8 + 3).links.size(), 8u);
  EXPECT_EQ(r.route(0, 40 * 8 + 3).latency, Time::ns(3330 + 3700));
}

TEST(Routing, MpftAllPairsStayInTheDestinationsPlane) {
  // 8 nodes, radix 4: a leaf has 2 NICs and 2 up-links, so a plane has 4 leaves and 4 x 2 / 4 = 2
  // spines. Over all 64 x 63 ordered pairs: a same-node route is exactly 2 NVLink hops; a cross-node
  // route starts with 2 NVLink hops iff the local indices differ (forwarding to the plane's GPU), and
  // every switch link it crosses lies in the destination GPU's plane (never another plane's spine).
  const Topology t = build_topology(cluster(8, TopologyKind::kMultiPlaneFatTree, 4));
  ASSERT_EQ(t.counts.spine, 8 * 2);
  const auto ends = link_ends(t);
  Router r(t, RoutingPolicy::kEcmp);
  for (int src = 0; src < 64; ++src) {
    for (int dst = 0; dst < 64; ++dst) {
      if (src == dst) continue;
      const Route rt = r.route(src, dst, static_cast<std::uint64_t>(src * 64 + dst));
      expect_chain(t, ends, rt, src, dst);
      int nvlink = 0;
      for (LinkId l : rt.links) {
        const Link& link = t.links[l];
        if (link.cls == LinkClass::kNvlink) ++nvlink;
        if (link.cls == LinkClass::kNicLeaf || link.cls == LinkClass::kLeafSpine) {
          EXPECT_EQ(link.plane, dst % 8);
        }
      }
      const bool same_node = src / 8 == dst / 8;
      const bool forwarded = !same_node && src % 8 != dst % 8;
      EXPECT_EQ(nvlink, same_node || forwarded ? 2 : 0) << src << " -> " << dst;
      if (forwarded) {
        EXPECT_EQ(t.links[rt.links[0]].cls, LinkClass::kNvlink);
      }
    }
  }
}

TEST(Routing, EveryTopologyRoutesAllPairsAsConnectedChains) {
  // The other builders, all pairs of small clusters, both policies. MRFT and FT2 at radix 16: 8 leaves
  // and 4 spines. FT3 at radix 4 has pods of 2 leaves of 2 NICs, so 2 nodes (16 NICs, 8 leaves) span all
  // 4 pods and cross-pod routes go leaf -> agg -> core -> agg -> leaf.
  for (TopologyKind kind : {TopologyKind::kMultiRailFatTree, TopologyKind::kFatTree2, TopologyKind::kFatTree3}) {
    const int radix = kind == TopologyKind::kFatTree3 ? 4 : 16;
    const int nodes = kind == TopologyKind::kFatTree3 ? 2 : 8;
    const Topology t = build_topology(cluster(nodes, kind, radix));
    const auto ends = link_ends(t);
    for (RoutingPolicy p : {RoutingPolicy::kEcmp, RoutingPolicy::kAdaptive}) {
      Router r(t, p);
      for (int src = 0; src < nodes * 8; ++src)
        for (int dst = 0; dst < nodes * 8; ++dst)
          if (src != dst) expect_chain(t, ends, r.route(src, dst, 7, 1e6), src, dst);
    }
  }
}

TEST(Routing, ThreeLayerCrossPodLatency) {
  // Radix 4, 2 nodes: 16 NICs, 8 leaves of 2, 4 pods of 2 leaves. NIC 0 (GPU 0) and NIC 8 (GPU 8) are in
  // pods 0 and 2: PCIe, NIC-leaf, leaf-agg, agg-core, core-agg, agg-leaf, leaf-NIC, PCIe = 8 links.
  // Latency: 2 x 1.4 us (NIC-leaf, half of the same-leaf 2.8 us) + 4 x 0.45 us (half the 0.9 us a spine
  // adds in R6, assumed equal for the core layer) = 4.6 us.
  const Topology t = build_topology(cluster(2, TopologyKind::kFatTree3, 4));
  Router r(t, RoutingPolicy::kEcmp);
  const Route rt = r.route(0, 8);
  EXPECT_EQ(rt.links.size(), 8u);
  EXPECT_EQ(rt.latency, Time::ns(4600));
}

TEST(Routing, EcmpIsDeterministicAndSpreadsFlows) {
  // Radix 16: 8 down / 8 up; 64 nodes -> 8 leaves and 4 spines per plane. ECMP hashes (src, dst, flow):
  // the same key always takes the same spine, and 64 flow indices between one pair use all 4 spines.
  const Topology t = build_topology(cluster(64, TopologyKind::kMultiPlaneFatTree, 16));
  Router a(t, RoutingPolicy::kEcmp), b(t, RoutingPolicy::kEcmp);
  std::set<std::uint32_t> first_hops;
  for (std::uint64_t f = 0; f < 64; ++f) {
    const Route ra = a.route(0, 63 * 8, f), rb = b.route(0, 63 * 8, f);
    EXPECT_EQ(ra.links, rb.links);
    first_hops.insert(ra.links[2].value());  // PCIe, NIC-leaf, then leaf -> spine
  }
  EXPECT_EQ(first_hops.size(), 4u);
}

TEST(Routing, AdaptiveSpreadsOverSpines) {
  // Same fabric: four equal flows between the same two leaves take four different spines under adaptive
  // routing (each picks the least-loaded spine; ties by lowest index).
  const Topology t = build_topology(cluster(64, TopologyKind::kMultiPlaneFatTree, 16));
  Router r(t, RoutingPolicy::kAdaptive);
  std::set<std::uint32_t> spine_links;
  for (int i = 0; i < 4; ++i) {
    const Route rt = r.route(0, 63 * 8, static_cast<std::uint64_t>(i), 1e6);
    for (LinkId l : rt.links)
      if (t.links[l].cls == LinkClass::kLeafSpine) spine_links.insert(l.value());
  }
  EXPECT_EQ(spine_links.size(), 8u);  // 4 spines x (up link + down link)
}

}  // namespace
}  // namespace deepsim
