// Comm tasks in the engine: queued on their stream, SMs held for their whole length, timed by the
// CommModel either as a duration or as rounds of flows that share links with other flows.
#include <gtest/gtest.h>

#include "sim/core/error.h"
#include "sim/engine/fixed_comm_model.h"
#include "sim/net/flow_run.h"

namespace deepsim {
namespace {

// A comm task on a stream waits behind the compute before it on that stream, holds its SMs while it
// runs (compute on the same GPU slows to (S - held) / S), and takes the model's duration.
TEST(CommTask, QueuesOnItsStreamAndHoldsSms) {
  TaskGraph g;
  g.set_gpu_sms(0, 4);
  const StreamId compute = g.add_stream("gpu0/compute");
  const StreamId comm = g.add_stream("gpu0/comm");
  const std::uint32_t group = g.add_comm_group({0, 1});
  CommOp op;
  op.kind = CommKind::kAllReduce;
  op.group = group;
  op.bytes = Bytes(1e6);
  op.sms = 1;
  const TaskId first = g.add_comm(comm, op, 0, 0);
  const TaskId second = g.add_comm(comm, op, 0, 0);  // same stream: runs after `first`
  const TaskId c = g.add_compute(compute, Time::ns(300), 0, 0);
  FixedCommModel model(Time::ns(100));
  const RunResult r = run(g, LinkTable{}, model);
  EXPECT_EQ(r.tasks[first.value()].end, Time::ns(100));
  EXPECT_EQ(r.tasks[second.value()].start, Time::ns(100));
  EXPECT_EQ(r.tasks[second.value()].end, Time::ns(200));
  // 200 ns at 3/4 speed do 150 ns of work; the remaining 150 ns at full speed: ends at 350 ns.
  EXPECT_EQ(r.tasks[c.value()].end, Time::ns(350));
}

// A model that runs every op as two rounds of one flow each over link 0 (bytes/2 per round, 1 us
// latency per round).
class TwoRounds final : public CommModel {
 public:
  explicit TwoRounds(const std::vector<LinkId>& path) : path_(path) {}
  void plan(const CommOp& op, std::span<const std::int32_t>, Plan& out) override {
    for (int k = 0; k < 2; ++k) {
      Round& r = out.rounds.emplace_back();
      r.latency = Time::us(1);
      r.flows.push_back({path_, Bytes(op.bytes.value() / 2)});
    }
  }

 private:
  const std::vector<LinkId>& path_;
};

// Rounds run in order, each after its latency, and their flows share links max-min with plain flows:
// a 1 MB op over a 1 GB/s link = two rounds of 0.5 MB.
TEST(CommTask, RoundsAreFlowsThatContendWithOtherFlows) {
  LinkTable links;
  const LinkId l = links.add({LinkClass::kNicLeaf, Bandwidth::gb_per_s(1), Bandwidth::gb_per_s(1), Time::zero(), 0});
  const std::vector<LinkId> path{l};
  TaskGraph g;
  const std::uint32_t group = g.add_comm_group({0, 1});
  CommOp op;
  op.kind = CommKind::kAllGather;
  op.group = group;
  op.bytes = Bytes(1e6);
  const TaskId c = g.add_comm(StreamId{}, op);
  TwoRounds model(path);
  // Alone: 2 x (1 us + 0.5 MB / 1 GB/s = 500 us) = 1002 us; the link carried 1 MB.
  {
    const RunResult r = run(g, links, model);
    EXPECT_EQ(r.tasks[c.value()].end, Time::us(1002));
    EXPECT_DOUBLE_EQ(r.link_bytes[0], 1e6);
  }
  // With a plain 0.5 MB flow from t = 0: it runs alone 1 us (1 kB), then both share the link at
  // 0.5 GB/s until it ends at 1 us + 2 x 499 kB / 1 GB/s = 999 us; by then round 1 has moved 499 kB and
  // finishes its last 1 kB alone (1 us): 1000 us. Round 2: 1001 us + 500 us = 1501 us.
  TaskGraph g2 = g;
  const TaskId f = g2.add_flow(path, Bytes(0.5e6), Time::zero());
  const RunResult r = run(g2, links, model);
  EXPECT_EQ(r.tasks[f.value()].end, Time::us(999));
  EXPECT_EQ(r.tasks[c.value()].end, Time::us(1501));
  EXPECT_DOUBLE_EQ(r.link_bytes[0], 1.5e6);
}

TEST(CommTask, AGraphWithCommTasksNeedsACommModel) {
  TaskGraph g;
  CommOp op;
  op.group = g.add_comm_group({0, 1});
  (void)g.add_comm(StreamId{}, op);
  EXPECT_THROW((void)run(g, LinkTable{}), InternalError);
}

}  // namespace
}  // namespace deepsim
