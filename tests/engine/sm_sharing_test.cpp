// SM sharing: compute slowed by exactly (S - H) / S while communication holds H of S SMs.
// A task loses H/S of every nanosecond it overlaps a hold, so a task of nominal duration D that overlaps
// a hold for O and outlasts it ends at start + D + O H / S; one covered by the hold to its end takes
// D S / (S - H). Each test derives its own figure.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "sim/core/error.h"
#include "sim/net/flow_run.h"

namespace deepsim {
namespace {
using namespace literals;

// One link of 1 B/ns (1 GB/s), so a flow of n bytes alone moves for n ns.
LinkTable one_link() {
  LinkTable links;
  links.add(Link{LinkClass::kNvlink, Bandwidth::gb_per_s(1), Bandwidth::gb_per_s(1), Time::zero(), -1});
  return links;
}

// A pure-latency flow (no bytes) holding `sms` SMs on `gpu` for `hold`.
TaskId add_hold(TaskGraph& g, std::int32_t gpu, std::int32_t sms, Time hold) {
  const TaskId f = g.add_flow({}, Bytes(0), hold, 0, gpu);
  g.set_comm_sms(f, sms);
  return f;
}

// S = 4, H = 1 over [0, 200) ns, compute D = 300 ns from 0: during the hold it does 200 * 3/4 = 150 ns
// of work; the other 150 ns run at full speed, so it ends at 200 + 150 = 350 ns = D + O H / S.
TEST(SmSharing, ComputeLosesHeldFractionOverTheOverlap) {
  TaskGraph g;
  g.set_gpu_sms(0, 4);
  const StreamId s = g.add_stream("gpu0");
  const TaskId c = g.add_compute(s, 300_ns, 0, 0);
  (void)add_hold(g, 0, 1, 200_ns);
  EXPECT_EQ(run(g, LinkTable{}).tasks[c.value()].end, 350_ns);
}

// Same hold, compute starts at 100 ns (after a delay): overlap [100, 200) = 100 ns does 75 ns of work,
// 225 ns remain at full speed: end = 200 + 225 = 425 ns = 100 + 300 + 100 * 1/4.
TEST(SmSharing, ComputeStartingDuringTheHold) {
  TaskGraph g;
  g.set_gpu_sms(0, 4);
  const StreamId s = g.add_stream("gpu0");
  const TaskId d = g.add_delay(100_ns);
  const TaskId c = g.add_compute(s, 300_ns, 0, 0);
  g.add_dep(d, c);
  (void)add_hold(g, 0, 1, 200_ns);
  EXPECT_EQ(run(g, LinkTable{}).tasks[c.value()].end, 425_ns);
}

// DeepSeek-V3's split: 20 of 132 SMs held for the whole of a 132 us GEMM. It runs at 112/132 speed:
// 132 us * 132 / 112 = 155.571428571... us, rounded up to the picosecond: 155'571'429 ps.
TEST(SmSharing, HoldCoveringTheWholeTaskScalesItsDuration) {
  TaskGraph g;
  g.set_gpu_sms(0, 132);
  const StreamId s = g.add_stream("gpu0");
  const TaskId c = g.add_compute(s, 132_us, 0, 0);
  (void)add_hold(g, 0, 20, 1_ms);
  EXPECT_EQ(run(g, LinkTable{}).tasks[c.value()].end, Time::ps(155'571'429));
}

// The SMs are held while a real flow moves bytes: 1000 B at 1 B/ns holds 2 of 4 SMs for [0, 1000) ns.
// Compute D = 1000 ns does 500 ns of work by then and the other 500 ns after: ends at 1500 ns.
TEST(SmSharing, FlowHoldsSmsUntilItsBytesArrive) {
  const LinkTable links = one_link();
  TaskGraph g;
  g.set_gpu_sms(0, 4);
  const StreamId s = g.add_stream("gpu0");
  const TaskId c = g.add_compute(s, 1000_ns, 0, 0);
  const std::array<LinkId, 1> path{LinkId(0)};
  const TaskId f = g.add_flow(path, Bytes(1000), Time::zero(), 0, 0);
  g.set_comm_sms(f, 2);
  const RunResult r = run(g, links);
  EXPECT_EQ(r.tasks[f.value()].end, 1000_ns);
  EXPECT_EQ(r.tasks[c.value()].end, 1500_ns);
}

// Holds add up and come off at different times: S = 4, H = 1 on [0, 100), H = 2 on [0, 200).
// Held: 3 on [0,100), 2 on [100,200), 0 after. Compute D = 400 ns does 100*1/4 + 100*2/4 = 75 ns by
// 200 ns, then 325 ns at full speed: ends at 525 ns.
TEST(SmSharing, OverlappingHoldsAddUp) {
  TaskGraph g;
  g.set_gpu_sms(0, 4);
  const StreamId s = g.add_stream("gpu0");
  const TaskId c = g.add_compute(s, 400_ns, 0, 0);
  (void)add_hold(g, 0, 1, 100_ns);
  (void)add_hold(g, 0, 2, 200_ns);
  EXPECT_EQ(run(g, LinkTable{}).tasks[c.value()].end, 525_ns);
}

// With every SM held, compute stalls: S = 2, H = 2 on [0, 100): D = 50 ns runs on [100, 150).
TEST(SmSharing, AllSmsHeldStallsCompute) {
  TaskGraph g;
  g.set_gpu_sms(0, 2);
  const StreamId s = g.add_stream("gpu0");
  const TaskId c = g.add_compute(s, 50_ns, 0, 0);
  (void)add_hold(g, 0, 2, 100_ns);
  EXPECT_EQ(run(g, LinkTable{}).tasks[c.value()].end, 150_ns);
}

// Holds on another GPU, or on a GPU with no declared SMs, leave compute alone.
TEST(SmSharing, OtherGpusAndUndeclaredGpusAreUnaffected) {
  TaskGraph g;
  g.set_gpu_sms(0, 4);
  const StreamId s0 = g.add_stream("gpu0");
  const StreamId s1 = g.add_stream("gpu1");
  const TaskId c0 = g.add_compute(s0, 300_ns, 0, 0);
  const TaskId c1 = g.add_compute(s1, 300_ns, 0, 1);
  (void)add_hold(g, 1, 3, 200_ns);
  const RunResult r = run(g, LinkTable{});
  EXPECT_EQ(r.tasks[c0.value()].end, 300_ns);
  EXPECT_EQ(r.tasks[c1.value()].end, 300_ns);
}

// Compute starved for good is reported, not waited on: a flow on a zero-capacity link holds all of
// the GPU's SMs and never ends, so the compute can never progress either.
TEST(SmSharing, PermanentStarvationIsReported) {
  LinkTable links;
  links.add(Link{LinkClass::kNvlink, Bandwidth::bytes_per_s(0), Bandwidth::bytes_per_s(0), Time::zero(), -1});
  TaskGraph g;
  g.set_gpu_sms(0, 2);
  const StreamId s = g.add_stream("gpu0");
  const std::array<LinkId, 1> path{LinkId(0)};
  const TaskId f = g.add_flow(path, Bytes(1000), Time::zero(), g.add_label("dispatch"), 0);
  g.set_comm_sms(f, 2);
  (void)g.add_compute(s, 50_ns, g.add_label("gemm"), 0);
  try {
    (void)run(g, links);
    FAIL() << "starvation must throw";
  } catch (const InternalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("task 0 'dispatch' (flow rate is 0"), std::string::npos) << what;
    EXPECT_NE(what.find("task 1 'gemm' (its GPU has no free SMs"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace deepsim
