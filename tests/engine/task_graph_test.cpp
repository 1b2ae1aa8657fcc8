#include "sim/engine/task_graph.h"

#include <gtest/gtest.h>

#include <array>

#include "sim/core/error.h"

namespace deepsim {
namespace {
using namespace literals;

TEST(TaskGraph, SuccessorsKeepInsertionOrderAndPredecessorsAreCounted) {
  TaskGraph g;
  const StreamId s = g.add_stream("gpu0.compute");
  const TaskId a = g.add_compute(s, 1_us);
  const TaskId b = g.add_delay(2_us);
  const TaskId c = g.add_delay(3_us);
  g.add_dep(a, c);
  g.add_dep(a, b);
  g.add_dep(b, c);
  ASSERT_EQ(g.successors(a).size(), 2U);
  EXPECT_EQ(g.successors(a)[0], c);
  EXPECT_EQ(g.successors(a)[1], b);
  EXPECT_TRUE(g.successors(c).empty());
  EXPECT_EQ(g.predecessor_count(a), 0U);
  EXPECT_EQ(g.predecessor_count(c), 2U);
  // Adding an edge after a query rebuilds the lists.
  const TaskId d = g.add_delay(1_us);
  g.add_dep(c, d);
  ASSERT_EQ(g.successors(c).size(), 1U);
  EXPECT_EQ(g.successors(c)[0], d);
}

TEST(TaskGraph, FlowKeepsItsPath) {
  TaskGraph g;
  const std::array<LinkId, 3> path{LinkId(4), LinkId(1), LinkId(7)};
  const TaskId f = g.add_flow(path, 1_MB, 2_us, 0, 3);
  const Task& t = g.task(f);
  EXPECT_EQ(t.kind, TaskKind::kFlow);
  EXPECT_EQ(t.gpu, 3);
  ASSERT_EQ(g.path(t).size(), 3U);
  EXPECT_EQ(g.path(t)[2], LinkId(7));
}

TEST(TaskGraph, SmsAreDeclaredPerGpuAndHeldByFlowsOnly) {
  TaskGraph g;
  g.set_gpu_sms(2, 132);
  ASSERT_EQ(g.gpu_sms().size(), 3U);
  EXPECT_EQ(g.gpu_sms()[0], 0);
  EXPECT_EQ(g.gpu_sms()[2], 132);
  const std::array<LinkId, 1> path{LinkId(0)};
  const TaskId f = g.add_flow(path, 1_MB, 0_us, 0, 2);
  g.set_comm_sms(f, 20);
  EXPECT_EQ(g.task(f).comm_sms, 20);
  const TaskId d = g.add_delay(1_us);
  EXPECT_THROW(g.set_comm_sms(d, 20), InternalError);
}

TEST(TaskGraph, RejectsUnknownIds) {
  TaskGraph g;
  const TaskId a = g.add_delay(1_us);
  EXPECT_THROW(g.add_dep(a, TaskId(5)), InternalError);
  EXPECT_THROW((void)g.add_compute(StreamId(0), 1_us), InternalError);
}

}  // namespace
}  // namespace deepsim
