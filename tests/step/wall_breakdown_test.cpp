// The step broken down as DeepSeek reports its own (RankResult::wall): per rank, wall clock in forward,
// backward, weight and overlapped F&B instructions, the optimizer with its DP sync, and bubble. Cases
// derived by hand on small schedules, and the parts summing to the step on every schedule.
#include <gtest/gtest.h>

#include "sim/engine/engine.h"
#include "sim/engine/fixed_comm_model.h"
#include "sim/net/flow_run.h"
#include "sim/parallel/schedules.h"
#include "sim/step/step_graph.h"
#include "sim/step/step_metrics.h"

namespace deepsim {
namespace {

Time part(const RankResult& r, WallPart p) { return r.wall[static_cast<std::size_t>(p)]; }

// One dense layer per stage carrying the whole cost: F forward, Bi input gradient, W weight gradient.
StepInputs uniform_inputs(int stages, int ranks, Time f, Time bi, Time w) {
  StepInputs in;
  for (int s = 0; s < stages; ++s) {
    StageCost sc;
    sc.stage = s;
    LayerCost l;
    l.layer = s;
    l.attention = {f, bi, w};
    sc.layers.push_back(l);
    in.stages.push_back(sc);
  }
  for (int r = 0; r < ranks; ++r) in.rank_gpu.push_back(r);
  return in;
}

// Comm ops timed by a fixed-duration model (pipeline sends free unless `comm` says otherwise).
StepResult simulate(const Schedule& s, const StepInputs& in, FixedCommModel& comm) {
  const StepGraph g = build_step_graph(s, in);
  LinkTable links;
  return step_metrics(g, run(g.graph, links, comm), links, in.rank_gpu);
}

StepResult simulate(const Schedule& s, const StepInputs& in) {
  FixedCommModel free_comm;
  return simulate(s, in, free_comm);
}

void expect_sums_to_step(const StepResult& r) {
  for (const RankResult& rr : r.ranks) {
    Time sum;
    for (const Time t : rr.wall) sum += t;
    EXPECT_EQ(sum, r.step) << "rank " << rr.rank;
  }
}

TEST(WallBreakdown, OneFOneBTwoRanksByHand) {
  // 1F1B, 2 ranks, 2 micro-batches, F = 10 us, B = 12 + 8 us (full backward), then a DP sync of 5 us and
  // an optimizer step of 3 us. Programs: rank 0 F0 F1 B0 B1, rank 1 F0 B0 F1 B1; sends are instant.
  //   rank 0: F0 0-10, F1 10-20, (waits for B0's gradient) B0 40-60, (waits) B1 70-90, sync+opt 90-98
  //   rank 1: (waits) F0 10-20, B0 20-40, F1 40-50, B1 50-70, sync+opt 70-78, (done; step ends at 98)
  StepInputs in = uniform_inputs(2, 2, Time::us(10), Time::us(12), Time::us(8));
  // Each rank's DP sync: a gradient all-reduce (ZeRO-0) with a GPU outside the pipeline, timed 5 us.
  in.dp_sync = {{DpSync{{0, 2}, Bytes(1), Bytes{}}}, {DpSync{{1, 3}, Bytes(1), Bytes{}}}};
  in.optimizer = {Time::us(3), Time::us(3)};
  FixedCommModel comm;
  comm.set(CommKind::kAllReduce, Time::us(5));
  const StepResult r = simulate(make_1f1b(2, 2).value(), in, comm);
  ASSERT_EQ(r.step, Time::us(98));
  for (const RankResult& rr : r.ranks) {
    EXPECT_EQ(part(rr, WallPart::kForward), Time::us(20)) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kBackward), Time::us(40)) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kWeight), Time::zero()) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kOverlapped), Time::zero()) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kOptimizer), Time::us(8)) << rr.rank;
    // rank 0: 20-40 and 60-70; rank 1: 0-10 and 78-98. Both (PP-1)(F+B) = 30 us, R16's 1F1B bubble.
    EXPECT_EQ(part(rr, WallPart::kBubble), Time::us(30)) << rr.rank;
  }
  expect_sums_to_step(r);
}

TEST(WallBreakdown, ZeroBubbleSplitsWeightChunksOut) {
  // ZB-H1 runs B (input gradient only, 12 us) and W (8 us) as separate instructions: every micro-batch
  // contributes one F, one B and one W per rank, and the W's fill the cool-down.
  const StepInputs in = uniform_inputs(4, 4, Time::us(10), Time::us(12), Time::us(8));
  const StepResult r = simulate(make_zb1p(4, 8).value(), in);
  for (const RankResult& rr : r.ranks) {
    EXPECT_EQ(part(rr, WallPart::kForward), Time::us(8 * 10)) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kBackward), Time::us(8 * 12)) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kWeight), Time::us(8 * 8)) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kOverlapped), Time::zero());
    // Without communication, bubble is what the compute stream leaves idle.
    EXPECT_EQ(part(rr, WallPart::kBubble), rr.bubble) << rr.rank;
  }
  expect_sums_to_step(r);
}

// Counts of a rank's compute instructions by op.
struct Counts {
  int f = 0, b = 0, bi = 0, w = 0, fb = 0;
};
Counts counts(const Schedule& s, int rank) {
  Counts c;
  for (const Instr& in : s.program[static_cast<std::size_t>(rank)]) {
    switch (in.op) {
      case PipeOp::kForward: ++c.f; break;
      case PipeOp::kBackward: ++c.b; break;
      case PipeOp::kBackwardInput: ++c.bi; break;
      case PipeOp::kBackwardWeight: ++c.w; break;
      case PipeOp::kForwardBackward: ++c.fb; break;
      default: break;
    }
  }
  return c;
}

TEST(WallBreakdown, DualPipeWithoutCommunicationCountsEachInstructionAtItsCompute) {
  // No communication: each instruction's span is its compute, back to back on the compute stream. An F&B
  // pair is F + a full backward (F + Bi + W); a lone B is full or input-only as the program says.
  const Time f = Time::us(10), bi = Time::us(10), w = Time::us(5);
  const Schedule s = make_dualpipe(4, 8).value();
  const StepResult r = simulate(s, uniform_inputs(4, 4, f, bi, w));
  for (const RankResult& rr : r.ranks) {
    const Counts c = counts(s, rr.rank);
    EXPECT_GT(c.fb, 0) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kForward), f * c.f) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kBackward), (bi + w) * c.b + bi * c.bi) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kWeight), w * c.w) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kOverlapped), (f + bi + w) * c.fb) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kBubble), rr.bubble) << rr.rank;
  }
  expect_sums_to_step(r);
}

TEST(WallBreakdown, DualPipePairsHideAllToAllsThatLoneChunksExpose) {
  // One MoE layer per stage: attention, dispatch, MLP, combine, all 10 us, both directions, no W. A lone
  // forward or backward chunk runs its four pieces back to back (40 us, 20 of them all-to-all exposed
  // inside the chunk: counted to the chunk, not to bubble). An F&B pair has 40 us of compute and 40 us
  // of all-to-all, each chunk's compute running under the other's all-to-alls: well under 80 us a pair.
  StepInputs in = uniform_inputs(4, 4, Time::us(10), Time::us(10), Time::zero());
  for (auto& st : in.stages) {
    st.layers[0].moe = true;
    st.layers[0].mlp = {Time::us(10), Time::us(10), Time::zero()};
  }
  in.moe.members = [](int, int rank) { return std::vector<std::int32_t>{rank}; };
  in.moe.routing = [](int, int, int) { return 0u; };
  FixedCommModel comm;
  comm.set(CommKind::kDispatch, Time::us(10)).set(CommKind::kCombine, Time::us(10));
  const Schedule s = make_dualpipe(4, 16).value();
  const StepResult r = simulate(s, in, comm);
  for (const RankResult& rr : r.ranks) {
    const Counts c = counts(s, rr.rank);
    ASSERT_GT(c.fb, 0);
    EXPECT_EQ(part(rr, WallPart::kForward), Time::us(40) * c.f) << rr.rank;
    EXPECT_EQ(part(rr, WallPart::kBackward), Time::us(40) * (c.b + c.bi)) << rr.rank;
    const Time pair = part(rr, WallPart::kOverlapped) / c.fb;
    EXPECT_GE(pair, Time::us(40)) << rr.rank;  // the pair's compute, on one stream
    EXPECT_LT(pair, Time::us(60)) << rr.rank;
    // Bubble here is the rank waiting on the pipeline: at most the idle time not inside an instruction.
    EXPECT_LE(part(rr, WallPart::kBubble), rr.idle) << rr.rank;
  }
  expect_sums_to_step(r);
}

}  // namespace
}  // namespace deepsim
