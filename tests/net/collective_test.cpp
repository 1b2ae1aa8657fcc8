#include <gtest/gtest.h>

#include "sim/hw/catalog.h"
#include "sim/model/presets.h"
#include "sim/net/collective.h"
#include "sim/step/uniform_routing.h"

namespace deepsim {
namespace {

ClusterSpec cluster(int nodes, TopologyKind kind) {
  ClusterSpec c;
  c.gpu = *find_gpu("H800");
  c.nic = *find_nic("cx7-ib-400g");
  c.nodes = nodes;
  c.topology.kind = kind;
  c.topology.planes = 8;
  return c;
}

CollectiveSpec spec_of(CollectiveKind k, std::vector<int> gpus, Bytes bytes) {
  CollectiveSpec s;
  s.kind = k;
  s.gpus = std::move(gpus);
  s.bytes = bytes;
  return s;
}

// H800 figures used below: NVLink 200 GB/s x 0.8 = 160 GB/s per direction; NIC 50 GB/s x 0.8 = 40 GB/s.
constexpr double kNvlink = 160e9;
constexpr double kNic = 40e9;

TEST(Collective, OneFlowIsLatencyPlusSizeOverBandwidth) {
  const Fabric f = build_fabric(cluster(2, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec s = spec_of(CollectiveKind::kSendRecv, {0, 1}, Bytes(160e6));
  // Same node: 160 MB at 160 GB/s = 1 ms, plus the NVLink latency 3.33 us.
  EXPECT_EQ(run_collective(f, s).time, Time::ms(1) + Time::ns(3330));
  // Across nodes, same plane: 40 MB at 40 GB/s = 1 ms, plus 2.8 us (same leaf).
  s.gpus = {0, 8};
  s.bytes = Bytes(40e6);
  const CollectiveResult r = run_collective(f, s);
  EXPECT_EQ(r.time, Time::ms(1) + Time::ns(2800));
  EXPECT_NEAR(r.busbw_gbps, 40.0, 0.2);
}

TEST(Collective, RingAllReduceInsideANodeMatchesTheClosedForm) {
  // n = 8 GPUs on one NVSwitch, S = 800 MB: 2(n-1) = 14 steps, each moving S/n = 100 MB over every
  // GPU's NVLink at once (no sharing: each uses its own up and down link): 100 MB / 160 GB/s = 625 us,
  // plus 3.33 us latency per step: t = 14 x 628.33 us. busbw = S/t x 2(n-1)/n.
  const Fabric f = build_fabric(cluster(1, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec s = spec_of(CollectiveKind::kAllReduceRing, {0, 1, 2, 3, 4, 5, 6, 7}, Bytes(800e6));
  const CollectiveResult r = run_collective(f, s);
  EXPECT_EQ(r.time, (Time::us(625) + Time::ns(3330)) * 14);
  EXPECT_NEAR(r.busbw_gbps, 800e6 / r.time.seconds() / 1e9 * 14.0 / 8.0, 1e-9);
  // Bandwidth term alone: 2(n-1)/n x S / B.
  EXPECT_NEAR(r.time.seconds() - 14 * 3.33e-6, 2.0 * 7 / 8 * 800e6 / kNvlink, 1e-9);
}

TEST(Collective, UniformAllToAllOnMpftIsNicBound) {
  // 4 nodes x 8 GPUs, S per rank split evenly over the 32 ranks. Each NIC carries its node's traffic to
  // its plane's GPU in the 3 other nodes: 8 GPUs x 3 x S/32 = 0.75 S; NVLink per GPU carries less
  // (0.875 S at 4x the bandwidth). So t = 0.75 S / 40 GB/s plus latency.
  const Fabric f = build_fabric(cluster(4, TopologyKind::kMultiPlaneFatTree));
  const double s = 320e6;
  CollectiveSpec spec = spec_of(CollectiveKind::kAllToAll, {}, Bytes(s));
  const CollectiveResult r = run_collective(f, spec);
  const double bound = 0.75 * s / kNic;
  EXPECT_GE(r.time.seconds(), bound);
  EXPECT_LE(r.time.seconds(), bound * 1.01 + 10e-6);
}

TEST(Collective, MpftAndMrftGiveTheSameUniformAllToAllWithinAFewPercent) {
  const double s = 320e6;
  CollectiveSpec spec = spec_of(CollectiveKind::kAllToAll, {}, Bytes(s));
  const Time mpft = run_collective(build_fabric(cluster(4, TopologyKind::kMultiPlaneFatTree)), spec).time;
  const Time mrft = run_collective(build_fabric(cluster(4, TopologyKind::kMultiRailFatTree)), spec).time;
  EXPECT_NEAR(mpft / mrft, 1.0, 0.03);
}

TEST(Collective, BytesSentEqualBytesReceivedOverInfiniBand) {
  const Fabric f = build_fabric(cluster(4, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec spec = spec_of(CollectiveKind::kAllToAll, {}, Bytes(64e6));
  const CollectiveResult r = run_collective(f, spec);
  double up = 0, down = 0;
  for (std::size_t nic = 0; nic < f.nic.size(); ++nic) {
    const auto leaf = f.leaves[nic % 8][static_cast<std::size_t>(f.nic_leaf[nic])];
    up += r.run.link_bytes[f.link(f.nic[nic], leaf).value()];
    down += r.run.link_bytes[f.link(leaf, f.nic[nic]).value()];
  }
  EXPECT_GT(up, 0);
  EXPECT_DOUBLE_EQ(up, down);
}

TEST(Collective, HierarchicalAndTreeAllReduceFinish) {
  const Fabric f = build_fabric(cluster(4, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec s = spec_of(CollectiveKind::kAllReduceHierarchical, {}, Bytes(256e6));
  const CollectiveResult h = run_collective(f, s);
  s.kind = CollectiveKind::kAllReduceRing;
  const CollectiveResult flat = run_collective(f, s);
  // The flat ring over 32 GPUs crosses IB in 4 of its 32 hops each step, at 40 GB/s, with 62 steps;
  // the hierarchical version moves only 1/8 of the data across nodes, so it is faster.
  EXPECT_LT(h.time, flat.time);
  s.kind = CollectiveKind::kAllReduceTree;
  EXPECT_GT(run_collective(f, s).time, Time::zero());
}

TEST(Collective, DeepEpDispatchBytesFollowTheReferenceFormula) {
  // EP64 on 8 nodes, 512 tokens per GPU, DeepSeek-V3 routing: IB bytes = (unique (token, node) pairs
  // outside the own node) x 7392 B; the all_to_all_bound model counts the same pairs.
  const Fabric f = build_fabric(cluster(8, TopologyKind::kMultiPlaneFatTree));
  Rng rng(3);
  const TokenRouting routing = sample_uniform_routing(*find_model_preset("deepseek-v3"), 64, 512, rng);
  CollectiveSpec s = spec_of(CollectiveKind::kDispatch, {}, Bytes(0));
  s.routing = &routing;
  s.bytes_per_token = dispatch_bytes_per_token(7168);
  const CollectiveResult r = run_collective(f, s);
  EpGroupShape g{64, 8, Bandwidth::gb_per_s(40), Bandwidth::gb_per_s(160), Time::zero()};
  const AllToAllLoad load = all_to_all_load(g, routing, s.bytes_per_token);
  double ib = 0;
  for (double b : r.ib_bytes) ib += b;
  EXPECT_DOUBLE_EQ(ib, load.ib_bytes);
  // The flow simulation cannot beat the busiest link's bound.
  EXPECT_GE(r.time, all_to_all_time(g, load) - Time::us(10));
  EXPECT_GT(r.deepep_rdma_gbps, 0);
}

}  // namespace
}  // namespace deepsim
