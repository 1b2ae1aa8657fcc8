// Checker: hand-made faulty lists are rejected with the reason; every generated schedule in a sweep of
// pipeline sizes and micro-batch counts passes, and the engine executes it exactly as the in-order
// reference does.
#include "sim/parallel/schedule_check.h"

#include <gtest/gtest.h>

#include <functional>

#include "sim/parallel/schedule_graph.h"
#include "sim/parallel/schedules.h"

namespace deepsim {
namespace {

using literals::operator""_us;

bool mentions(const Result<ScheduleCheck>& r, const std::string& what) {
  return !r.ok() && r.error().find(what) != std::string::npos;
}

// 1F1B on 2 ranks, 2 micro-batches, written out in full:
//   r0: F0 >a0 F1 >a1 <g0 B0 <g1 B1        (> send, < receive; a activation, g gradient)
//   r1: <a0 F0 B0 >g0 <a1 F1 B1 >g1
Schedule two_rank_1f1b() {
  Schedule s = make_1f1b(2, 2).value();
  s.program[0] = {{PipeOp::kForward, {0, 0}, {}, -1},      {PipeOp::kSendActivation, {0, 0}, {}, 1},
                  {PipeOp::kForward, {1, 0}, {}, -1},      {PipeOp::kSendActivation, {1, 0}, {}, 1},
                  {PipeOp::kRecvGradient, {0, 0}, {}, 1},  {PipeOp::kBackward, {0, 0}, {}, -1},
                  {PipeOp::kRecvGradient, {1, 0}, {}, 1},  {PipeOp::kBackward, {1, 0}, {}, -1}};
  s.program[1] = {{PipeOp::kRecvActivation, {0, 0}, {}, 0}, {PipeOp::kForward, {0, 0}, {}, -1},
                  {PipeOp::kBackward, {0, 0}, {}, -1},      {PipeOp::kSendGradient, {0, 0}, {}, 0},
                  {PipeOp::kRecvActivation, {1, 0}, {}, 0}, {PipeOp::kForward, {1, 0}, {}, -1},
                  {PipeOp::kBackward, {1, 0}, {}, -1},      {PipeOp::kSendGradient, {1, 0}, {}, 0}};
  return s;
}

TEST(ScheduleCheck, HandWrittenListPasses) { EXPECT_TRUE(check_schedule(two_rank_1f1b()).ok()); }

TEST(ScheduleCheck, BackwardBeforeForward) {
  Schedule s = two_rank_1f1b();
  std::swap(s.program[1][1], s.program[1][2]);
  EXPECT_TRUE(mentions(check_schedule(s), "backward before its forward"));
}

TEST(ScheduleCheck, MissingReceive) {
  Schedule s = two_rank_1f1b();
  s.program[1].erase(s.program[1].begin() + 4);
  EXPECT_TRUE(mentions(check_schedule(s), "exactly one send and one receive"));
}

TEST(ScheduleCheck, ReceiveAfterConsumer) {
  Schedule s = two_rank_1f1b();
  std::swap(s.program[1][4], s.program[1][5]);
  EXPECT_TRUE(mentions(check_schedule(s), "receive after its consumer"));
}

TEST(ScheduleCheck, WrongPeer) {
  Schedule s = two_rank_1f1b();
  s.program[0][1].peer = 0;
  EXPECT_TRUE(mentions(check_schedule(s), "wrong peer"));
}

TEST(ScheduleCheck, SplitBackwardNeedsItsWeight) {
  Schedule s = two_rank_1f1b();
  s.program[0][5].op = PipeOp::kBackwardInput;
  EXPECT_TRUE(mentions(check_schedule(s), "split backward without W"));
  s.program[0].push_back({PipeOp::kBackwardWeight, {0, 0}, {}, -1});
  EXPECT_TRUE(check_schedule(s).ok());
  s.program[0].push_back({PipeOp::kBackwardWeight, {1, 0}, {}, -1});  // B1 is not split
  EXPECT_TRUE(mentions(check_schedule(s), "W before its split backward"));
}

TEST(ScheduleCheck, Deadlock) {
  // Rank 0 waits for gradient 0 before sending activation 1; rank 1 runs F1 before B0, so it waits for
  // activation 1 before sending gradient 0. Each order is locally valid; together they never finish.
  Schedule s = two_rank_1f1b();
  s.program[0] = {{PipeOp::kForward, {0, 0}, {}, -1},     {PipeOp::kSendActivation, {0, 0}, {}, 1},
                  {PipeOp::kRecvGradient, {0, 0}, {}, 1}, {PipeOp::kBackward, {0, 0}, {}, -1},
                  {PipeOp::kForward, {1, 0}, {}, -1},     {PipeOp::kSendActivation, {1, 0}, {}, 1},
                  {PipeOp::kRecvGradient, {1, 0}, {}, 1}, {PipeOp::kBackward, {1, 0}, {}, -1}};
  s.program[1] = {{PipeOp::kRecvActivation, {0, 0}, {}, 0}, {PipeOp::kForward, {0, 0}, {}, -1},
                  {PipeOp::kRecvActivation, {1, 0}, {}, 0}, {PipeOp::kForward, {1, 0}, {}, -1},
                  {PipeOp::kBackward, {0, 0}, {}, -1},      {PipeOp::kSendGradient, {0, 0}, {}, 0},
                  {PipeOp::kBackward, {1, 0}, {}, -1},      {PipeOp::kSendGradient, {1, 0}, {}, 0}};
  const auto r = check_schedule(s);
  EXPECT_TRUE(mentions(r, "deadlock")) << r.error();
  EXPECT_TRUE(mentions(r, "rank 0 at instruction 2")) << r.error();
}

// Every allowed (PP, micro-batch) combination of every schedule: valid, deadlock-free, and executed by
// the engine with the same step time and per-rank busy time as the in-order reference. Costs are
// distinct primes (us) so that a wrong dependency shows up as a different time, and sends cost 1 us.
TEST(ScheduleCheck, SweepAllSchedules) {
  using Make = std::function<Result<Schedule>(int, int)>;
  const std::vector<std::pair<const char*, Make>> makers = {
      {"gpipe", make_gpipe},
      {"1f1b", make_1f1b},
      {"zb1p", make_zb1p},
      {"interleaved v2", [](int pp, int m) { return make_interleaved_1f1b(pp, m, 2); }},
      {"interleaved v3", [](int pp, int m) { return make_interleaved_1f1b(pp, m, 3); }},
      {"dualpipe", make_dualpipe},
      {"dualpipev", make_dualpipev},
  };
  const StageCosts costs{7_us, 11_us, 5_us, 19_us, 1_us};
  int checked = 0;
  for (const auto& [name, make] : makers) {
    for (int pp : {2, 4, 8, 16}) {
      for (int m = 1; m <= 3 * pp + 1; ++m) {
        const Result<Schedule> s = make(pp, m);
        if (!s) continue;  // refused settings are covered by Schedules.ImpossibleSettingsAreErrors
        const std::string id = std::string(name) + " pp " + std::to_string(pp) + " m " + std::to_string(m);
        const auto check = check_schedule(*s);
        ASSERT_TRUE(check.ok()) << id << ": " << check.error();
        const PipelineTiming ref = simulate_in_order(*s, costs).value();
        const PipelineTiming eng = run_schedule(*s, costs);
        ASSERT_EQ(eng.step, ref.step) << id;
        ASSERT_EQ(eng.busy, ref.busy) << id;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 200);
}

}  // namespace
}  // namespace deepsim
