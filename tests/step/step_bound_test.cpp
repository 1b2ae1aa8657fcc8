// compute_step_bound: never above the simulated step, for every schedule, TP / SP / recompute mode,
// MoE and ZeRO-2; tighter than the static bound; the same with and without its memo.
#include "sim/step/step_bound.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"
#include "tests/forecast/forecast_test_support.h"

namespace deepsim {
namespace {

// GPT-22B cut to 8 layers, one 2048-token sequence per micro-batch, on 2 DGX A100 (16 GPUs).
Scenario dense(std::vector<std::string> more) {
  std::vector<std::string> o = {"model.layers=8",          "cluster.nodes=2",
                                "parallel.micro_batch_size=1", "training.recompute=none",
                                "parallel.pp=2",           "parallel.tp=4",
                                "parallel.dp=2",           "parallel.micro_batches=8",
                                "training.global_batch=16"};
  o.insert(o.end(), more.begin(), more.end());
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/22b-full.yaml", o);
}

void expect_bounded(const Scenario& s, const std::string& what) {
  const StaticAnalysis a = analyze(s);
  const Time bound = compute_step_bound(s, a);
  const Time step = simulate_step(s).step;
  EXPECT_GT(bound, Time::zero()) << what;
  EXPECT_LE(bound, step) << what;
  StepBoundMemo memo;
  EXPECT_EQ(compute_step_bound(s, a, &memo), bound) << what;
  EXPECT_EQ(compute_step_bound(s, a, &memo), bound) << what << " (memo hit)";
}

TEST(StepBound, NeverAboveTheSimulatedStepForAnySchedule) {
  for (const char* sched : {"gpipe", "1f1b", "zb1p", "dualpipe", "dualpipev"})
    expect_bounded(dense({std::string("parallel.schedule=") + sched}), sched);
  expect_bounded(dense({"parallel.schedule=interleaved-1f1b", "parallel.virtual_stages=2"}), "interleaved");
}

TEST(StepBound, NeverAboveTheSimulatedStepForTpSpAndRecompute) {
  for (const char* rc : {"none", "selective", "full"})
    for (const char* sp : {"false", "true"})
      expect_bounded(dense({std::string("training.recompute=") + rc, std::string("parallel.sequence_parallel=") + sp}),
                     std::string(rc) + " sp=" + sp);
  expect_bounded(dense({"parallel.tp_comm_overlap=async-grad"}), "async-grad");
  expect_bounded(dense({"parallel.tp=1", "parallel.dp=8", "parallel.micro_batches=2"}), "tp1");
}

TEST(StepBound, NeverAboveTheSimulatedStepForMoeAndZeroTwo) {
  expect_bounded(test::small_run(), "small MoE run");
  expect_bounded(test::small_run({"parallel.zero_stage=2"}), "small MoE run, ZeRO-2");
  expect_bounded(dense({"parallel.zero_stage=2"}), "dense ZeRO-2, DP peers in one node");
  // TP8 x DP2 on two nodes: DP2's peers sit on different nodes, so the per-micro-batch reduce-scatters
  // are bounded at the NIC's line rate.
  expect_bounded(dense({"parallel.zero_stage=2", "parallel.pp=1", "parallel.tp=8"}), "dense ZeRO-2 over nodes");
}

TEST(StepBound, TighterThanTheStaticBound) {
  // Compute-dominated: the pipeline's fill and drain and the kernel efficiencies are what the static
  // bound (every FLOP at the dense peak, no dependencies) leaves out.
  for (const char* sched : {"1f1b", "dualpipe"}) {
    const Scenario s = dense({std::string("parallel.schedule=") + sched});
    const StaticAnalysis a = analyze(s);
    EXPECT_GT(compute_step_bound(s, a), a.step_lower_bound() + a.step_lower_bound() / 5) << sched;
  }
  // ZeRO-2 with a slow NIC: the reduce-scatters on the DP stream outweigh the compute.
  const std::vector<std::string> over_nodes = {"parallel.pp=1", "parallel.tp=8", "cluster.nic_overrides.line_rate_gbps=10"};
  std::vector<std::string> two = over_nodes, one = over_nodes;
  two.emplace_back("parallel.zero_stage=2");
  one.emplace_back("parallel.zero_stage=1");
  const Scenario slow = dense(two);
  const Time with = compute_step_bound(slow, analyze(slow));
  const Scenario zero1 = dense(one);
  const Time without = compute_step_bound(zero1, analyze(zero1));
  EXPECT_GT(with, without);
  EXPECT_LE(with, simulate_step(slow).step);
}

TEST(StepBound, MemoBypassesAScenarioOfAnotherModel) {
  StepBoundMemo memo;
  const Scenario a = dense({});
  const Scenario b = dense({"model.layers=4"});
  const Time ta = compute_step_bound(a, analyze(a), &memo);
  const Time tb = compute_step_bound(b, analyze(b), &memo);
  EXPECT_EQ(tb, compute_step_bound(b, analyze(b)));
  EXPECT_NE(ta, tb);
}

}  // namespace
}  // namespace deepsim
