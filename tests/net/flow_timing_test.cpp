// Flow timing through the engine: closed forms for flows alone, sharing, and rates that change as
// flows come and go. Links of 1 GB/s move 1 byte per nanosecond, which keeps the arithmetic visible.
#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/net/flow_run.h"
#include "sim/net/flow_network.h"

namespace deepsim {
namespace {
using namespace literals;

LinkId add_link(LinkTable& t, double gb_per_s, Time latency = Time::zero()) {
  return t.add(Link{LinkClass::kNicLeaf, Bandwidth::gb_per_s(gb_per_s), Bandwidth::gb_per_s(gb_per_s), latency, 0});
}

// Path latency 1 + 2 = 3 us; bottleneck 50 GB/s; 1 MB / 50 GB/s = 20 us. Total 23 us.
TEST(FlowTiming, LoneFlowTakesLatencyPlusSizeOverBottleneck) {
  LinkTable links;
  const std::array<LinkId, 2> path{add_link(links, 100, 1_us), add_link(links, 50, 2_us)};
  TaskGraph g;
  const TaskId f = g.add_flow(path, 1_MB, path_latency(links, path));
  const RunResult r = run(g, links);
  EXPECT_EQ(path_latency(links, path), 3_us);
  EXPECT_EQ(r.tasks[f.value()].end, 23_us);
}

// 4 flows of 1 MB on one 10 GB/s link: each gets 2.5 GB/s, 1 MB / 2.5 GB/s = 400 us, all together.
TEST(FlowTiming, FlowsOnOneBottleneckEachGetOneNth) {
  LinkTable links;
  const std::array<LinkId, 1> path{add_link(links, 10)};
  TaskGraph g;
  for (int i = 0; i < 4; ++i) (void)g.add_flow(path, 1_MB, Time::zero());
  const RunResult r = run(g, links);
  for (const TaskTiming& t : r.tasks) EXPECT_EQ(t.end, 400_us);
}

// Sizes 1000, 2000, 3000 B on one 1 B/ns link, all from 0.
//   [0, 3000): three flows at 1/3 B/ns; the 1000 B flow ends at 3000 ns. Left: 1000 and 2000 B.
//   [3000, 5000): two at 1/2; the second ends at 5000 ns. Left: 1000 B.
//   [5000, 6000): one at 1; ends at 6000 ns = total bytes / capacity (the link never idles).
TEST(FlowTiming, SharingIsPiecewiseAsFlowsFinish) {
  LinkTable links;
  const std::array<LinkId, 1> path{add_link(links, 1)};
  TaskGraph g;
  const TaskId a = g.add_flow(path, Bytes(1000), Time::zero());
  const TaskId b = g.add_flow(path, Bytes(2000), Time::zero());
  const TaskId c = g.add_flow(path, Bytes(3000), Time::zero());
  const RunResult r = run(g, links);
  EXPECT_EQ(r.tasks[a.value()].end, 3000_ns);
  EXPECT_EQ(r.tasks[b.value()].end, 5000_ns);
  EXPECT_EQ(r.tasks[c.value()].end, 6000_ns);
  EXPECT_EQ(r.link_busy[0], 6000_ns);
}

// A (1000 B) alone from 0 moves 500 B by 500 ns, when B (1000 B) joins; both at 1/2 B/ns:
// A's last 500 B take 1000 ns -> A ends at 1500 ns; B has 500 B left, alone at 1 B/ns -> 2000 ns.
TEST(FlowTiming, LateStarterSlowsTheFirstFlow) {
  LinkTable links;
  const std::array<LinkId, 1> path{add_link(links, 1)};
  TaskGraph g;
  const TaskId a = g.add_flow(path, Bytes(1000), Time::zero());
  const TaskId gate = g.add_delay(500_ns);
  const TaskId b = g.add_flow(path, Bytes(1000), Time::zero());
  g.add_dep(gate, b);
  const RunResult r = run(g, links);
  EXPECT_EQ(r.tasks[a.value()].end, 1500_ns);
  EXPECT_EQ(r.tasks[b.value()].end, 2000_ns);
}

// L0 = 2 B/ns, L1 = 0.5 B/ns. X (4000 B) crosses L0; Y (1000 B) crosses L0 and L1.
// Max-min: Y is held to 0.5 by L1, X takes the remaining 1.5 of L0.
// Y: 1000 / 0.5 = 2000 ns. X by then: 3000 B, 1000 B left at the full 2 B/ns: 500 ns -> 2500 ns.
TEST(FlowTiming, FlowTakesWhatItsNeighbourCannotUse) {
  LinkTable links;
  const LinkId l0 = add_link(links, 2);
  const LinkId l1 = add_link(links, 0.5);
  TaskGraph g;
  const std::array<LinkId, 1> px{l0};
  const std::array<LinkId, 2> py{l0, l1};
  const TaskId x = g.add_flow(px, Bytes(4000), Time::zero());
  const TaskId y = g.add_flow(py, Bytes(1000), Time::zero());
  const RunResult r = run(g, links);
  EXPECT_EQ(r.tasks[y.value()].end, 2000_ns);
  EXPECT_EQ(r.tasks[x.value()].end, 2500_ns);
}

// Latency is charged before the bytes share the link: two 1000 B flows with 100 ns latency on a
// 1 B/ns link share it from 100 ns on, each at 1/2: both end at 100 + 2000 = 2100 ns.
TEST(FlowTiming, LatencyComesBeforeSharing) {
  LinkTable links;
  const std::array<LinkId, 1> path{add_link(links, 1, 100_ns)};
  TaskGraph g;
  const TaskId a = g.add_flow(path, Bytes(1000), 100_ns);
  const TaskId b = g.add_flow(path, Bytes(1000), 100_ns);
  const RunResult r = run(g, links);
  EXPECT_EQ(r.tasks[a.value()].end, 2100_ns);
  EXPECT_EQ(r.tasks[b.value()].end, 2100_ns);
  EXPECT_EQ(r.link_busy[0], 2000_ns);  // busy only while bytes move
}

TEST(FlowTiming, FlowsWithNothingToMoveTakeTheirLatency) {
  LinkTable links;
  const std::array<LinkId, 1> path{add_link(links, 1)};
  TaskGraph g;
  const TaskId empty_bytes = g.add_flow(path, Bytes(0), 3_us);
  const TaskId empty_path = g.add_flow({}, 1_MB, 5_us);
  const RunResult r = run(g, links);
  EXPECT_EQ(r.tasks[empty_bytes.value()].end, 3_us);
  EXPECT_EQ(r.tasks[empty_path.value()].end, 5_us);
  EXPECT_EQ(r.link_bytes[0], 0.0);
}

// Conservation: every finished flow is credited to each link of its path once, so
// sum over links of link_bytes = sum over flows of bytes x path length. Random flows on 8 links.
TEST(FlowTiming, BytesAreConservedAcrossLinks) {
  LinkTable links;
  for (int i = 0; i < 8; ++i) (void)add_link(links, 1 + i);
  std::mt19937 gen(11);
  TaskGraph g;
  double expected = 0;
  TaskId prev;
  for (int i = 0; i < 300; ++i) {
    std::vector<LinkId> path;
    const int hops = 1 + static_cast<int>(gen() % 4);
    for (int h = 0; h < hops; ++h) path.push_back(LinkId(gen() % 8));
    const Bytes bytes(static_cast<double>(1 + gen() % 10'000));
    const TaskId f = g.add_flow(path, bytes, Time::ns(gen() % 100));
    if (prev.valid() && gen() % 3 == 0) g.add_dep(prev, f);
    prev = f;
    expected += bytes.value() * hops;
  }
  const RunResult r = run(g, links);
  EXPECT_DOUBLE_EQ(std::accumulate(r.link_bytes.begin(), r.link_bytes.end(), 0.0), expected);
  for (const Time busy : r.link_busy) EXPECT_LE(busy, r.makespan);
}

// Quantum 100 ns, independent links of 1 B/ns: flows of 1000, 1010 and 1050 B would end at 1000,
// 1010 and 1050 ns; rounded up to multiples of 100 ns they end at 1000, 1100 and 1100 ns (the last two
// together, one re-solve). With quantum 0 the exact times stand.
TEST(FlowTiming, QuantumRoundsCompletionsUpAndGroupsThem) {
  LinkTable links;
  std::array<std::array<LinkId, 1>, 3> paths{};
  for (auto& p : paths) p[0] = add_link(links, 1);
  TaskGraph g;
  const std::array<double, 3> sizes{1000, 1010, 1050};
  for (std::size_t i = 0; i < sizes.size(); ++i) (void)g.add_flow(paths[i], Bytes(sizes[i]), Time::zero());
  const RunResult exact = run(g, links);
  EXPECT_EQ(exact.tasks[1].end, 1010_ns);
  EXPECT_EQ(exact.tasks[2].end, 1050_ns);
  const RunResult coarse = run(g, links, RunOptions{.flow_quantum = 100_ns});
  EXPECT_EQ(coarse.tasks[0].end, 1000_ns);
  EXPECT_EQ(coarse.tasks[1].end, 1100_ns);
  EXPECT_EQ(coarse.tasks[2].end, 1100_ns);
  EXPECT_EQ(coarse.events, exact.events);  // one completion per flow either way
}

TEST(FlowTiming, FlowOnDeadLinkIsReportedNotAwaited) {
  LinkTable links;
  const std::array<LinkId, 2> path{add_link(links, 1), add_link(links, 0)};
  TaskGraph g;
  const TaskId f = g.add_flow(path, Bytes(1000), Time::zero(), g.add_label("stuck-flow"));
  const TaskId after = g.add_delay(1_ns);
  g.add_dep(f, after);
  try {
    (void)run(g, links);
    FAIL() << "a flow with rate 0 must throw";
  } catch (const InternalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("task 0 'stuck-flow' (flow rate is 0"), std::string::npos) << what;
    EXPECT_NE(what.find("never started: task 1"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace deepsim
