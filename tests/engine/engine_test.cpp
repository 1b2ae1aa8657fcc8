// Engine semantics on graphs small enough to time by hand: streams, dependencies, instants, errors.
#include "sim/net/flow_run.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>

#include "sim/core/error.h"

namespace deepsim {
namespace {
using namespace literals;

TEST(Engine, EmptyGraphHasZeroMakespan) {
  const RunResult r = run(TaskGraph{}, LinkTable{});
  EXPECT_EQ(r.makespan, Time::zero());
  EXPECT_TRUE(r.tasks.empty());
  EXPECT_EQ(r.events, 0U);
}

// Three tasks ready together on one stream run back to back in id order:
//   t0: [0, 10), t1: [10, 30), t2: [30, 60) ns; makespan 60 ns.
TEST(Engine, StreamRunsReadyTasksOneAtATimeInIdOrder) {
  TaskGraph g;
  const StreamId s = g.add_stream("s");
  const TaskId t0 = g.add_compute(s, 10_ns);
  const TaskId t1 = g.add_compute(s, 20_ns);
  const TaskId t2 = g.add_compute(s, 30_ns);
  const RunResult r = run(g, LinkTable{});
  EXPECT_EQ(r.tasks[t0.value()].start, 0_ns);
  EXPECT_EQ(r.tasks[t1.value()].start, 10_ns);
  EXPECT_EQ(r.tasks[t2.value()].start, 30_ns);
  EXPECT_EQ(r.tasks[t2.value()].ready, 0_ns);
  EXPECT_EQ(r.makespan, 60_ns);
}

// FIFO is by readiness, not by id: `late` (id 0) becomes ready at 5 ns, after `early` (id 1, ready at
// 0) took the stream. `later` (id 2) is ready at 5 ns too, so it queues behind `late` (smaller id).
//   early: [0, 20); late: [20, 30); later: [30, 40).
TEST(Engine, StreamServesInReadyOrderWithTiesById) {
  TaskGraph g;
  const StreamId s = g.add_stream("s");
  const TaskId late = g.add_compute(s, 10_ns);
  const TaskId early = g.add_compute(s, 20_ns);
  const TaskId later = g.add_compute(s, 10_ns);
  const TaskId gate = g.add_delay(5_ns);
  g.add_dep(gate, later);  // added first on purpose: edge order must not matter
  g.add_dep(gate, late);
  const RunResult r = run(g, LinkTable{});
  EXPECT_EQ(r.tasks[early.value()].start, 0_ns);
  EXPECT_EQ(r.tasks[late.value()].ready, 5_ns);
  EXPECT_EQ(r.tasks[late.value()].start, 20_ns);
  EXPECT_EQ(r.tasks[later.value()].start, 30_ns);
  EXPECT_EQ(r.makespan, 40_ns);
}

// Diamond: d(5) -> {a on s0 (10), b on s1 (30)} -> c on s0 (1). Streams run in parallel, so
// c is ready at 5 + max(10, 30) = 35 and ends at 36.
TEST(Engine, DependenciesWaitForTheSlowestPredecessor) {
  TaskGraph g;
  const StreamId s0 = g.add_stream("s0");
  const StreamId s1 = g.add_stream("s1");
  const TaskId d = g.add_delay(5_ns);
  const TaskId a = g.add_compute(s0, 10_ns);
  const TaskId b = g.add_compute(s1, 30_ns);
  const TaskId c = g.add_compute(s0, 1_ns);
  g.add_dep(d, a);
  g.add_dep(d, b);
  g.add_dep(a, c);
  g.add_dep(b, c);
  const RunResult r = run(g, LinkTable{});
  EXPECT_EQ(r.tasks[a.value()].end, 15_ns);
  EXPECT_EQ(r.tasks[b.value()].end, 35_ns);
  EXPECT_EQ(r.tasks[c.value()].ready, 35_ns);
  EXPECT_EQ(r.tasks[c.value()].end, 36_ns);
  EXPECT_EQ(r.makespan, 36_ns);
  EXPECT_EQ(r.events, 4U);  // one completion per task
}

// A chain of n tasks of 0..n-1 ns ends at the sum 0 + 1 + ... + (n-1) = n(n-1)/2.
TEST(Engine, ChainEndsAtTheSumOfDurations) {
  constexpr int kTasks = 100;
  TaskGraph g;
  const StreamId s = g.add_stream("s");
  TaskId prev;
  for (int i = 0; i < kTasks; ++i) {
    const TaskId t = (i % 2 == 0) ? g.add_compute(s, Time::ns(i)) : g.add_delay(Time::ns(i));
    if (prev.valid()) g.add_dep(prev, t);
    prev = t;
  }
  EXPECT_EQ(run(g, LinkTable{}).makespan, Time::ns(kTasks * (kTasks - 1) / 2));
}

TEST(Engine, ZeroDurationTasksCompleteAtTheSameInstant) {
  TaskGraph g;
  const StreamId s = g.add_stream("s");
  const TaskId a = g.add_delay(0_ns);
  const TaskId b = g.add_compute(s, 0_ns);
  const TaskId c = g.add_delay(7_ns);
  g.add_dep(a, b);
  g.add_dep(b, c);
  const RunResult r = run(g, LinkTable{});
  EXPECT_EQ(r.tasks[b.value()].end, 0_ns);
  EXPECT_EQ(r.makespan, 7_ns);
}

TEST(Engine, CycleIsReportedWithItsTasks) {
  TaskGraph g;
  const TaskId free_task = g.add_delay(1_ns);
  const TaskId a = g.add_delay(1_ns, g.add_label("a"));
  const TaskId b = g.add_delay(1_ns, g.add_label("b"));
  const TaskId c = g.add_delay(1_ns, g.add_label("c"));
  const TaskId behind = g.add_delay(1_ns);
  g.add_dep(free_task, a);
  g.add_dep(a, b);
  g.add_dep(b, c);
  g.add_dep(c, a);
  g.add_dep(c, behind);
  try {
    (void)run(g, LinkTable{});
    FAIL() << "a cycle must throw";
  } catch (const InternalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("4 of 5 tasks never finished"), std::string::npos) << what;
    EXPECT_NE(what.find("cycle: task 1 'a' -> task 2 'b' -> task 3 'c' -> task 1 'a'"), std::string::npos) << what;
    EXPECT_NE(what.find("task 4"), std::string::npos) << what;
  }
}

TEST(Engine, SelfDependencyIsACycle) {
  TaskGraph g;
  const TaskId a = g.add_delay(1_ns);
  g.add_dep(a, a);
  EXPECT_THROW((void)run(g, LinkTable{}), InternalError);
}

// A pseudo-random graph over streams, delays and flows on shared links; run twice, every timing and
// every link figure must agree exactly.
TEST(Engine, TwoRunsOfOneGraphAreIdentical) {
  LinkTable links;
  for (int i = 0; i < 6; ++i) {
    links.add(Link{LinkClass::kNvlink, Bandwidth::gb_per_s(10.0 + i), Bandwidth::gb_per_s(10.0 + i), Time::ns(100), -1});
  }
  std::mt19937 gen(42);
  TaskGraph g;
  const std::array<StreamId, 4> streams{g.add_stream("s0"), g.add_stream("s1"), g.add_stream("s2"), g.add_stream("s3")};
  g.set_gpu_sms(0, 132);
  std::vector<TaskId> tasks;
  for (int i = 0; i < 400; ++i) {
    TaskId t;
    switch (gen() % 3) {
      case 0: t = g.add_compute(streams[gen() % streams.size()], Time::ns(1 + gen() % 1000), 0, 0); break;
      case 1: t = g.add_delay(Time::ns(gen() % 50)); break;
      default: {
        const std::array<LinkId, 2> path{LinkId(gen() % 6), LinkId(gen() % 6)};
        t = g.add_flow(path, Bytes(1e3 * (1 + gen() % 100)), Time::ns(200), 0, 0);
        g.set_comm_sms(t, static_cast<std::int32_t>(gen() % 24));
      }
    }
    for (int k = 0; k < 2 && !tasks.empty(); ++k) g.add_dep(tasks[gen() % tasks.size()], t);
    tasks.push_back(t);
  }
  const RunResult r1 = run(g, links);
  const RunResult r2 = run(g, links);
  ASSERT_EQ(r1.tasks.size(), r2.tasks.size());
  for (std::size_t i = 0; i < r1.tasks.size(); ++i) {
    EXPECT_EQ(r1.tasks[i].ready, r2.tasks[i].ready);
    EXPECT_EQ(r1.tasks[i].start, r2.tasks[i].start);
    EXPECT_EQ(r1.tasks[i].end, r2.tasks[i].end);
  }
  EXPECT_EQ(r1.makespan, r2.makespan);
  EXPECT_EQ(r1.events, r2.events);
  EXPECT_EQ(r1.link_bytes, r2.link_bytes);
  EXPECT_EQ(r1.link_busy, r2.link_busy);
}

TEST(Engine, LinkFiguresAreOmittedWhenNotRequested) {
  LinkTable links;
  links.add(Link{LinkClass::kNvlink, Bandwidth::gb_per_s(1), Bandwidth::gb_per_s(1), Time::zero(), -1});
  TaskGraph g;
  const std::array<LinkId, 1> path{LinkId(0)};
  (void)g.add_flow(path, Bytes(1000), Time::zero());
  const RunResult r = run(g, links, RunOptions{.record_link_bytes = false});
  EXPECT_TRUE(r.link_bytes.empty());
  EXPECT_TRUE(r.link_busy.empty());
  EXPECT_EQ(r.makespan, 1000_ns);  // 1000 B at 1 B/ns
}

}  // namespace
}  // namespace deepsim
