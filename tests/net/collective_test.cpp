// Collectives as flow sets, against closed forms derived in each test's comment.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "sim/hw/catalog.h"
#include "sim/net/collective.h"

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
  const Topology f = build_topology(cluster(2, TopologyKind::kMultiPlaneFatTree));
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
  const Topology f = build_topology(cluster(1, TopologyKind::kMultiPlaneFatTree));
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
  const Topology f = build_topology(cluster(4, TopologyKind::kMultiPlaneFatTree));
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
  const Time mpft = run_collective(build_topology(cluster(4, TopologyKind::kMultiPlaneFatTree)), spec).time;
  const Time mrft = run_collective(build_topology(cluster(4, TopologyKind::kMultiRailFatTree)), spec).time;
  EXPECT_NEAR(mpft / mrft, 1.0, 0.03);
}

TEST(Collective, BytesSentEqualBytesReceivedOverInfiniBand) {
  // Uniform all-to-all of S = 64 MB per rank on 4 nodes x 8 GPUs: each GPU sends S/32 to each of the 24
  // GPUs of other nodes, so 32 x 24 x S/32 = 24 S cross the NIC-leaf links up, and the same come down.
  const Topology f = build_topology(cluster(4, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec spec = spec_of(CollectiveKind::kAllToAll, {}, Bytes(64e6));
  const CollectiveResult r = run_collective(f, spec);
  double up = 0, down = 0;
  for (std::size_t nic = 0; nic < f.nic.size(); ++nic) {
    const auto leaf = f.leaves[nic % 8][static_cast<std::size_t>(f.nic_leaf[nic])];
    up += r.run.link_bytes[f.link(f.nic[nic], leaf).value()];
    down += r.run.link_bytes[f.link(leaf, f.nic[nic]).value()];
  }
  EXPECT_DOUBLE_EQ(up, 24 * 64e6);
  EXPECT_DOUBLE_EQ(up, down);
}

TEST(Collective, HierarchicalAndTreeAllReduceFinish) {
  const Topology f = build_topology(cluster(4, TopologyKind::kMultiPlaneFatTree));
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

// Bytes the reference formula (R24) assigns to one routing, counted token by token here, independently
// of the implementation: per token, each distinct destination node other than the source's costs one IB
// copy; each distinct destination GPU other than the token's holder in that node (the source itself in
// its own node, else the GPU of the source's local index) costs one NVLink copy.
struct ByHand {
  double ib_copies = 0, nvlink_copies = 0, token_nodes = 0;  // token_nodes: own node included (DeepEP)
};
ByHand count_by_hand(const TokenRouting& r) {
  ByHand h;
  for (std::size_t src = 0; src < r.gpus(); ++src) {
    const int node = static_cast<int>(src) / 8, local = static_cast<int>(src) % 8;
    for (std::size_t t = 0; t < r.tokens(src); ++t) {
      std::set<int> gpus, nodes;
      for (auto k = r.offsets[src][t]; k < r.offsets[src][t + 1]; ++k) gpus.insert(r.destinations[src][k]);
      for (int g : gpus) nodes.insert(g / 8);
      h.token_nodes += static_cast<double>(nodes.size());
      h.ib_copies += static_cast<double>(nodes.size() - nodes.count(node));
      for (int g : gpus) {
        const int holder = g / 8 == node ? static_cast<int>(src) : g / 8 * 8 + local;
        if (g != holder) h.nvlink_copies += 1;
      }
    }
  }
  return h;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

TEST(Collective, DeepEpDispatchBytesFollowTheReferenceFormula) {
  // EP64 on 8 nodes, 512 tokens per GPU, DeepSeek-V3 group-limited routing; FP8 dispatch carries
  // 7168 x 2 x (1 + 4/128) / 2 = 7392 B per token copy (R24). IB bytes = IB copies x 7392, NVLink bytes =
  // NVLink copies x 7392; the bottleneck model (all_to_all_bound.h) counts the same bytes.
  const Topology f = build_topology(cluster(8, TopologyKind::kMultiPlaneFatTree));
  Rng rng(3);
  const TokenRouting routing = sample_group_limited_routing(GroupLimitedTopK{}, 64, 512, rng);
  CollectiveSpec s = spec_of(CollectiveKind::kDispatch, {}, Bytes(0));
  s.routing = &routing;
  s.bytes_per_token = dispatch_bytes_per_token(7168);
  ASSERT_DOUBLE_EQ(s.bytes_per_token, 7392.0);
  const CollectiveResult r = run_collective(f, s);
  const ByHand h = count_by_hand(routing);
  EXPECT_DOUBLE_EQ(sum(r.ib_bytes), h.ib_copies * 7392);
  EXPECT_DOUBLE_EQ(sum(r.nvlink_bytes), h.nvlink_copies * 7392);
  // DeepEP's RDMA figure: (token, node) pairs incl. the own node x 7392 B, per GPU, over the time.
  EXPECT_NEAR(r.deepep_rdma_gbps, h.token_nodes * 7392 / 64 / r.time.seconds() / 1e9, 1e-9);
  EpGroupShape g{64, 8, Bandwidth::gb_per_s(40), Bandwidth::gb_per_s(160), Time::zero()};
  const AllToAllLoad load = all_to_all_load(g, routing, s.bytes_per_token);
  EXPECT_DOUBLE_EQ(load.ib_bytes, h.ib_copies * 7392);
  // The flow simulation cannot beat the busiest link's bound.
  EXPECT_GE(r.time, all_to_all_time(g, load));
}

TEST(Collective, CombineReversesDispatchInBf16) {
  // Combine moves the dispatch's copies back at 7168 x 2 = 14,336 B each: IB bytes sent by GPU i in
  // combine = IB bytes GPU i received in dispatch, scaled by 14336 / 7392.
  const Topology f = build_topology(cluster(4, TopologyKind::kMultiPlaneFatTree));
  Rng rng(9);
  const TokenRouting routing = sample_group_limited_routing({128, 4, 2, 8}, 32, 256, rng);
  CollectiveSpec s = spec_of(CollectiveKind::kCombine, {}, Bytes(0));
  s.routing = &routing;
  s.bytes_per_token = combine_bytes_per_token(7168);
  const CollectiveResult r = run_collective(f, s);
  EpGroupShape g{32, 8, Bandwidth::gb_per_s(40), Bandwidth::gb_per_s(160), Time::zero()};
  const AllToAllLoad load = all_to_all_load(g, routing, 14336.0);
  for (std::size_t i = 0; i < 32; ++i) EXPECT_DOUBLE_EQ(r.ib_bytes[i], load.nic_in[i]);
  EXPECT_DOUBLE_EQ(sum(r.nvlink_bytes), load.nvlink_bytes);
}

TEST(Collective, DispatchRunsAreIdentical) {
  // Determinism: same inputs, same time and the same bytes on every link.
  const Topology f = build_topology(cluster(4, TopologyKind::kMultiPlaneFatTree));
  Rng rng(2);
  const TokenRouting routing = sample_group_limited_routing({128, 4, 2, 8}, 32, 128, rng);
  CollectiveSpec s = spec_of(CollectiveKind::kDispatch, {}, Bytes(0));
  s.routing = &routing;
  s.bytes_per_token = 7392;
  const CollectiveResult a = run_collective(f, s), b = run_collective(f, s);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.run.link_bytes, b.run.link_bytes);
}

TEST(Collective, CrossPlaneSendIsForwardedThenNicBound) {
  // GPU 0 -> GPU 9 (node 1, local 1): NVLink to GPU 1, then IB in plane 1. Alone, the flow runs at the
  // path's slowest link, the NIC's 40 GB/s: 40 MB takes 1 ms, plus 3.33 us + 2.8 us of latency.
  const Topology f = build_topology(cluster(2, TopologyKind::kMultiPlaneFatTree));
  const CollectiveResult r = run_collective(f, spec_of(CollectiveKind::kSendRecv, {0, 9}, Bytes(40e6)));
  EXPECT_EQ(r.time, Time::ms(1) + Time::ns(3330 + 2800));
}

TEST(Collective, RingAllReduceAcrossNodesMatchesTheClosedForm) {
  // Ring over GPU 0 of 4 nodes (one plane, one leaf), S = 160 MB: 2(n-1) = 6 steps of S/n = 40 MB per
  // rank over its own NIC (each NIC sends one flow and receives one, no sharing): 40 MB / 40 GB/s = 1 ms,
  // plus 2.8 us per step. t = 6 x 1.0028 ms = 2(n-1)/n x S/B + 2(n-1) x latency.
  const Topology f = build_topology(cluster(4, TopologyKind::kMultiPlaneFatTree));
  const CollectiveResult r = run_collective(f, spec_of(CollectiveKind::kAllReduceRing, {0, 8, 16, 24}, Bytes(160e6)));
  EXPECT_EQ(r.time, (Time::ms(1) + Time::ns(2800)) * 6);
  // nccl-tests: busbw = algbw x 2(n-1)/n = 160 MB / t x 1.5, just under the 40 GB/s of the NIC.
  EXPECT_NEAR(r.busbw_gbps, 160e6 / r.time.seconds() / 1e9 * 1.5, 1e-9);
  EXPECT_NEAR(r.busbw_gbps, 40.0, 0.2);
}

TEST(Collective, ReduceScatterAndAllGatherTakeHalfTheRing) {
  // n = 8 in one node, S = 800 MB: n-1 = 7 steps of 100 MB at 160 GB/s (625 us) + 3.33 us;
  // busbw = S/t x (n-1)/n.
  const Topology f = build_topology(cluster(1, TopologyKind::kMultiPlaneFatTree));
  for (CollectiveKind k : {CollectiveKind::kReduceScatter, CollectiveKind::kAllGather}) {
    const CollectiveResult r = run_collective(f, spec_of(k, {0, 1, 2, 3, 4, 5, 6, 7}, Bytes(800e6)));
    EXPECT_EQ(r.time, (Time::us(625) + Time::ns(3330)) * 7);
    EXPECT_NEAR(r.busbw_gbps, 800e6 / r.time.seconds() / 1e9 * 7 / 8, 1e-9);
  }
}

TEST(Collective, HierarchicalAllReduceMatchesTheClosedForm) {
  // 2 nodes x 8 GPUs, S = 256 MB. Phase 1: ring reduce-scatter in each node, 7 steps of S/8 = 32 MB over
  // NVLink (200 us) + 3.33 us. Phase 2: 8 rings (one per plane) of 2 GPUs all-reduce S/8: 2 steps of
  // S/16 = 16 MB over the NIC (400 us) + 2.8 us. Phase 3: all-gather in the node, as phase 1.
  // t = 14 x 203.33 us + 2 x 402.8 us = 3652.22 us. Every rank moves in lock-step, so this is exact.
  const Topology f = build_topology(cluster(2, TopologyKind::kMultiPlaneFatTree));
  const CollectiveResult r = run_collective(f, spec_of(CollectiveKind::kAllReduceHierarchical, {}, Bytes(256e6)));
  EXPECT_EQ(r.time, (Time::us(200) + Time::ns(3330)) * 14 + (Time::us(400) + Time::ns(2800)) * 2);
}

TEST(Collective, DoubleBinaryTreeAllReduceIsWithinItsPipelineBounds) {
  // Double binary tree over the 8 GPUs of one node, S = 160 MB, 8 chunks per tree, NVLink 160 GB/s.
  // Each rank is internal in one tree (sends S/2 up + 2 x S/2 down) and a leaf in the other (S/2 up):
  // 2S over its NVLink, so t >= 2S/B = 2 ms. Pipelining adds at most the fill and drain of a depth-3 tree
  // in both directions, 2 x 3 chunks of S/16 (62.5 us each), and 4 x 3 hop latencies (3.33 us):
  // t <= 2 ms + 375 us + 40 us.
  const Topology f = build_topology(cluster(1, TopologyKind::kMultiPlaneFatTree));
  const CollectiveResult r = run_collective(f, spec_of(CollectiveKind::kAllReduceTree, {}, Bytes(160e6)));
  EXPECT_GE(r.time, Time::ms(2));
  EXPECT_LE(r.time, Time::ms(2) + Time::us(375) + Time::us(40));
}

TEST(Collective, AllToAllvFromAMatrix) {
  // 16 GPUs on 2 nodes; only GPU 0 sends 40 MB to GPU 8 (same plane) and 80 MB to GPU 1 (NVLink):
  // the IB flow takes 1 ms + 2.8 us; the NVLink flow 0.5 ms + 3.33 us; t is the longer.
  const Topology f = build_topology(cluster(2, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec s = spec_of(CollectiveKind::kAllToAll, {}, Bytes(120e6));
  s.matrix.assign(16, std::vector<double>(16, 0.0));
  s.matrix[0][8] = 40e6;
  s.matrix[0][1] = 80e6;
  const CollectiveResult r = run_collective(f, s);
  EXPECT_EQ(r.time, Time::ms(1) + Time::ns(2800));
  EXPECT_DOUBLE_EQ(r.bytes_sent, 120e6);
}

TEST(Collective, AggregatedAndPerPairAllToAllAgree) {
  // Aggregating the IB part per (source node, plane, destination node) merges flows that share their
  // whole IB path; per-pair flows carry the NVLink prefix too. The NIC bound holds for both (see the
  // NIC-bound test), so they agree within a few percent.
  const Topology f = build_topology(cluster(4, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec s = spec_of(CollectiveKind::kAllToAll, {}, Bytes(320e6));
  const Time agg = run_collective(f, s).time;
  s.aggregate = false;
  const Time pairs = run_collective(f, s).time;
  EXPECT_NEAR(agg / pairs, 1.0, 0.03);
}

// NCCL's protocol floor on the flow model (collective.h, protocol_model.h): the flows run without their
// link latencies and each protocol p gives latency_p + t_bw / efficiency_p.
TEST(Collective, ProtocolFloorOnARingInsideANode) {
  // 8 GPUs, S = 800 MB: bandwidth only, 14 steps of 100 MB / 160 GB/s = 8.75 ms. Simple: 8.4 + 14 x 3.4 =
  // 56 us + 8.75 ms; LL128: 40.6 us + 8.75 ms / 0.92; LL: 15 us + 4 x 8.75 ms. Auto keeps Simple.
  const Topology f = build_topology(cluster(1, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec s = spec_of(CollectiveKind::kAllReduceRing, {0, 1, 2, 3, 4, 5, 6, 7}, Bytes(800e6));
  s.protocol = ProtocolChoice::kAuto;
  CollectiveResult r = run_collective(f, s);
  ASSERT_TRUE(r.protocol_applied);
  EXPECT_EQ(r.protocol, NcclProtocol::kSimple);
  EXPECT_EQ(r.bandwidth_time, Time::us(625) * 14);
  EXPECT_EQ(r.time, Time::us(625) * 14 + Time::us(56));
  s.protocol = ProtocolChoice::kLL128;
  r = run_collective(f, s);
  EXPECT_EQ(r.time, Time::ns(40600) + Time::from_seconds_ceil(8.75e-3 / 0.92));
  // 8 B: LL wins; the time is its 15 us floor (the bytes add a fraction of a nanosecond).
  s.protocol = ProtocolChoice::kAuto;
  s.bytes = Bytes(8);
  r = run_collective(f, s);
  EXPECT_EQ(r.protocol, NcclProtocol::kLL);
  EXPECT_NEAR(r.time.us_value(), 15.0, 0.01);
  // The bare flow model pays 14 x 3.33 us of link latency instead.
  s.protocol = ProtocolChoice::kNone;
  EXPECT_NEAR(run_collective(f, s).time.us_value(), 14 * 3.33, 0.01);
}

TEST(Collective, ProtocolFloorOnTheHierarchicalAllReduce) {
  // 2 nodes: bandwidth part 14 x (S/8 / 160 GB/s) + 2 x (S/16 / 40 GB/s) = 8.75 + 2.5 ms for S = 800 MB.
  // Simple latency: 14 NVLink hops at max(3.4, 3 x 1) us + 2 network hops at 14 us + 8.4 = 84 us.
  const Topology f = build_topology(cluster(2, TopologyKind::kMultiPlaneFatTree));
  CollectiveSpec s = spec_of(CollectiveKind::kAllReduceHierarchical, {}, Bytes(800e6));
  s.protocol = ProtocolChoice::kSimple;
  const CollectiveResult r = run_collective(f, s);
  EXPECT_EQ(r.bandwidth_time, Time::us(8750) + Time::us(2500));
  EXPECT_EQ(r.time, Time::us(8750) + Time::us(2500) + Time::us(84));
}

TEST(Collective, DeepEpKernelFloorAddsNotifyAndHonoursTheSms) {
  // EP64 dispatch (R24's setup, 24 SMs): the notify kernel (2 x (3.7 + 3.33) us) precedes the flows;
  // with 24 SMs the links bound the transfer, with 4 SMs the SMs' copies do.
  const Topology f = build_topology(cluster(8, TopologyKind::kMultiPlaneFatTree));
  Rng rng(1);
  const TokenRouting routing = sample_group_limited_routing(GroupLimitedTopK{}, 64, 1024, rng);
  CollectiveSpec s = spec_of(CollectiveKind::kDispatch, {}, Bytes(0));
  s.routing = &routing;
  s.bytes_per_token = 7392;
  const CollectiveResult bare = run_collective(f, s);
  ClusterSpec c = cluster(8, TopologyKind::kMultiPlaneFatTree);
  s.deepep_kernels = deepep_kernel_spec(c, 24);
  const CollectiveResult k24 = run_collective(f, s);
  EXPECT_EQ(k24.deepep_notify, Time::ns(14060));
  EXPECT_LT(k24.deepep_sm_time, k24.run.makespan);
  EXPECT_EQ(k24.time, bare.time + Time::ns(14060));
  s.deepep_kernels = deepep_kernel_spec(c, 4);
  const CollectiveResult k4 = run_collective(f, s);
  EXPECT_GT(k4.deepep_sm_time, k4.run.makespan);
  // SM-bound: busiest GPU's copies / (4 x 12.69 GB/s) + the latencies.
  const double busiest = *std::max_element(k4.copy_bytes.begin(), k4.copy_bytes.end());
  EXPECT_NEAR(k4.time.seconds(), 14.06e-6 + 7.03e-6 + busiest / (4 * 3350e9 / 264), 1e-9);
}

TEST(Collective, DeepEpNormalKernelsWithinTwentyPercentOfR24) {
  // R24 (24 SMs, 4096 tokens of hidden 7168 per GPU, top-8 in at most 4 of 8 groups): DeepEP's RDMA
  // bandwidth EP16 43 / 43, EP32 58 / 57, EP64 51 / 50 GB/s (dispatch / combine). The flows plus the
  // kernel floor give about 50.6, 52.3 and 44.8 GB/s for dispatch (docs/network.md): the published
  // figures are not monotonic in EP, the model is; held to 20 %.
  const struct {
    int nodes;
    double dispatch, combine;
  } published[] = {{2, 43, 43}, {4, 58, 57}, {8, 51, 50}};
  for (const auto& p : published) {
    const ClusterSpec c = cluster(p.nodes, TopologyKind::kMultiPlaneFatTree);
    const Topology f = build_topology(c);
    Rng rng(1);
    const TokenRouting routing = sample_group_limited_routing(GroupLimitedTopK{}, 8 * p.nodes, 4096, rng);
    for (const auto& [kind, bytes, figure] : {std::tuple{CollectiveKind::kDispatch, 7392.0, p.dispatch},
                                               std::tuple{CollectiveKind::kCombine, 14336.0, p.combine}}) {
      CollectiveSpec s = spec_of(kind, {}, Bytes(0));
      s.routing = &routing;
      s.bytes_per_token = bytes;
      s.deepep_kernels = deepep_kernel_spec(c, 24);
      const CollectiveResult r = run_collective(f, s);
      EXPECT_NEAR(r.deepep_rdma_gbps / figure, 1.0, 0.20) << "EP" << 8 * p.nodes << " " << to_string(kind) << " "
                                                            << r.deepep_rdma_gbps;
    }
  }
}

}  // namespace
}  // namespace deepsim
