#include <gtest/gtest.h>

#include "sim/engine/fixed_comm_model.h"
#include "sim/net/flow_run.h"
#include "sim/parallel/pipeline_costs.h"
#include "sim/parallel/schedule_graph.h"
#include "sim/parallel/schedules.h"
#include "sim/step/step_graph.h"
#include "sim/step/step_metrics.h"

namespace deepsim {
namespace {

// One dense layer per stage whose attention piece carries the whole cost: F forward, Bi input gradient,
// W weight gradient; no communication. The step graph must then time the schedule exactly as the
// pipeline executor of sim/parallel does with uniform costs (whose bubbles the parallel tests pin to
// the published formulas, reference R16).
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

void expect_same_as_uniform_executor(const Schedule& s, Time f, Time bi, Time w) {
  const StepInputs in = uniform_inputs(s.pp, s.ranks, f, bi, w);
  const StepGraph g = build_step_graph(s, in);
  LinkTable links;
  FixedCommModel comm;  // pipeline sends are comm tasks: free here, as in the uniform executor
  const RunResult run_result = run(g.graph, links, comm);
  const StepResult r = step_metrics(g, run_result, links, in.rank_gpu);
  const PipelineTiming ref = run_schedule(s, StageCosts::uniform(f, bi, w));
  EXPECT_EQ(r.step, ref.step) << render_order(s);
  ASSERT_EQ(r.ranks.size(), ref.busy.size());
  for (std::size_t k = 0; k < r.ranks.size(); ++k) {
    EXPECT_EQ(r.ranks[k].busy, ref.busy[k]) << "rank " << k;
    EXPECT_EQ(r.ranks[k].bubble, ref.bubble[k]) << "rank " << k;  // no communication: idle = bubble
    EXPECT_EQ(r.ranks[k].exposed_comm, Time::zero());
  }
}

TEST(StepGraph, OneFOneBMatchesUniformExecutorAndFormula) {
  const Schedule s = make_1f1b(4, 8).value();
  expect_same_as_uniform_executor(s, Time::us(10), Time::us(12), Time::us(8));
  // R16: 1F1B bubble (PP-1)(F+B) = 3 x (10 + 20) us on every rank.
  const StepInputs in = uniform_inputs(4, 4, Time::us(10), Time::us(12), Time::us(8));
  const StepGraph g = build_step_graph(s, in);
  LinkTable links;
  FixedCommModel comm;
  const StepResult r = step_metrics(g, run(g.graph, links, comm), links, in.rank_gpu);
  EXPECT_EQ(r.bubble, Time::us(90));
}

TEST(StepGraph, Zb1pAndDualPipeMatchUniformExecutor) {
  // F equal to the input part of B keeps the zero-bubble and DualPipe formulas exact (see parallel tests).
  expect_same_as_uniform_executor(make_zb1p(4, 8).value(), Time::us(10), Time::us(10), Time::us(5));
  expect_same_as_uniform_executor(make_dualpipe(8, 16).value(), Time::us(10), Time::us(10), Time::us(5));
  expect_same_as_uniform_executor(make_dualpipev(8, 16).value(), Time::us(10), Time::us(10), Time::us(5));
}

// One MoE layer per stage: attention A, dispatch D, MLP M, combine C, all 10 us, in both directions
// (the all-to-alls timed by a fixed-duration comm model; every rank its own one-GPU "EP group").
StepInputs moe_inputs(int stages, int ranks) {
  StepInputs in = uniform_inputs(stages, ranks, Time::us(10), Time::us(10), Time::zero());
  for (auto& st : in.stages) {
    st.layers[0].moe = true;
    st.layers[0].mlp = {Time::us(10), Time::us(10), Time::zero()};
  }
  in.moe.members = [](int, int rank) { return std::vector<std::int32_t>{rank}; };
  in.moe.routing = [](int, int, int) { return 0u; };
  return in;
}

// All-to-alls 10 us; sends free.
FixedCommModel moe_comm() {
  FixedCommModel m;
  m.set(CommKind::kDispatch, Time::us(10)).set(CommKind::kCombine, Time::us(10));
  return m;
}

TEST(StepGraph, DualPipePairsHideAllToAllBehindTheOtherChunksCompute) {
  // Alone, a forward chunk is A, D, M, C back to back: 40 us with 20 us of all-to-all exposed. In an
  // F&B pair the backward's compute fills the forward's all-to-all gaps and vice versa, so a steady
  // pair takes about its 40 us of compute rather than 80 us.
  const Schedule s = make_dualpipe(4, 16).value();
  const StepInputs in = moe_inputs(4, 4);
  const StepGraph g = build_step_graph(s, in);
  LinkTable links;
  FixedCommModel comm = moe_comm();
  const StepResult r = step_metrics(g, run(g.graph, links, comm), links, in.rank_gpu);
  for (const auto& rr : r.ranks) {
    // Every rank computes 16 forward and 16 backward chunks of 20 us each.
    EXPECT_EQ(rr.busy, Time::us(16 * 20 + 16 * 20));
    EXPECT_EQ(rr.busy + rr.exposed_comm + rr.bubble, r.step);
  }
  // Without any overlap the busiest rank would need compute + all-to-all = 640 + 640 us plus bubbles.
  EXPECT_LT(r.step, Time::us(1280));
  EXPECT_GT(r.exposed_comm, Time::zero());  // warm-up and cool-down chunks cannot hide theirs
}

TEST(StepGraph, PhasesCoverComputeTime) {
  const Schedule s = make_dualpipe(4, 8).value();
  const StepInputs in = moe_inputs(4, 4);
  const StepGraph g = build_step_graph(s, in);
  LinkTable links;
  FixedCommModel comm = moe_comm();
  const StepResult r = step_metrics(g, run(g.graph, links, comm), links, in.rank_gpu);
  for (const auto& rr : r.ranks) {
    Time sum;
    for (Time t : rr.by_phase) sum += t;
    EXPECT_EQ(sum, rr.busy);
    EXPECT_GT(rr.by_phase[static_cast<std::size_t>(StepPhase::kWarmup)], Time::zero());
    EXPECT_GT(rr.by_phase[static_cast<std::size_t>(StepPhase::kSteady)], Time::zero());
  }
}

}  // namespace
}  // namespace deepsim
