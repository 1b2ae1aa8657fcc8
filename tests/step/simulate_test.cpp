#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sim/report/step_trace.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"

namespace deepsim {
namespace {

Scenario default_with(std::vector<std::string> overrides) {
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml", overrides);
}

TEST(SimulateStep, DefaultScenarioIsAboveItsComputeBoundAndConsistent) {
  const Scenario s = default_with({});
  const StepSimulation sim = simulate_step_full(s);
  const StepResult& r = sim.result;
  EXPECT_GT(r.step, analyze(s).step_lower_bound());
  ASSERT_EQ(r.ranks.size(), 16u);
  for (const auto& rr : r.ranks) {
    EXPECT_EQ(rr.busy + rr.exposed_comm + rr.bubble, r.step);
    EXPECT_GE(rr.bubble, Time::zero());
    EXPECT_LE(rr.peak_memory, s.cluster.gpu.hbm);  // the published plan fits in 80 GB (with recompute)
  }
  EXPECT_FALSE(r.kernel_model.empty());
  EXPECT_FALSE(r.notes.empty());
}

TEST(SimulateStep, SameScenarioSameTraceBytes) {
  const Scenario s = default_with({"parallel.micro_batches=32", "training.global_batch=4096"});
  auto trace = [&] {
    const StepSimulation sim = simulate_step_full(s);
    std::ostringstream out;
    write_step_trace(out, sim);
    return out.str();
  };
  EXPECT_EQ(trace(), trace());
}

TEST(SimulateStep, DualPipeBeatsOneFOneBOnTheSamePlan) {
  // 1F1B cannot overlap one micro-batch's all-to-alls with another's compute and has a (PP-1)(F+B) bubble
  // instead of (PP/2-1)(F&B+B-3W): the same plan must take longer, and its busiest rank must sit idle
  // longer. (Exposed communication alone no longer separates them: 1F1B's weight gradient runs beside
  // the backward chain and hides part of the next all-to-all, more so since the wgrad GEMMs are costed
  // as their own, slower family.)
  const auto dual = simulate_step(default_with({"parallel.micro_batches=32", "training.global_batch=4096"}));
  const auto one = simulate_step(
      default_with({"parallel.micro_batches=32", "training.global_batch=4096", "parallel.schedule=1f1b"}));
  EXPECT_GT(one.step, dual.step);
  auto max_idle = [](const auto& r) {
    Time m = Time::zero();
    for (const auto& rr : r.ranks) m = std::max(m, rr.idle);
    return m;
  };
  EXPECT_GT(max_idle(one), max_idle(dual));
}

TEST(SimulateStep, SmsHeldByCommunicationSlowCompute) {
  const auto with = simulate_step(default_with({"parallel.micro_batches=32", "training.global_batch=4096"}));
  const auto without = simulate_step(
      default_with({"parallel.micro_batches=32", "training.global_batch=4096", "parallel.comm_sms=0"}));
  EXPECT_LT(without.step, with.step);
}

TEST(SimulateStep, DenseModelHasNoAllToAll) {
  const auto r = simulate_step(default_with({"model.preset=qwen2.5-72b", "parallel.ep=1", "parallel.micro_batches=32",
                                             "training.global_batch=4096"}));
  for (const auto& rr : r.ranks) {
    EXPECT_EQ(rr.by_category[static_cast<std::size_t>(StepCategory::kDispatch)], Time::zero());
    EXPECT_EQ(rr.by_category[static_cast<std::size_t>(StepCategory::kCombine)], Time::zero());
  }
}

}  // namespace
}  // namespace deepsim

namespace deepsim {
namespace {

TEST(SimulateStep, FullFidelityAgreesWithTheRepresentativePipeline) {
  // 256 GPUs: PP4 x DP64, EP32 (two EP groups per stage, each with its own routing sample). Every
  // replica's compute is identical, so the full graph (64 pipelines, each all-to-all one task over its
  // EP group's 32 replicas) differs from the representative pipeline only through the second group's
  // routing sample: a few tenths of a percent at most.
  const std::vector<std::string> small = {"cluster.nodes=32",        "parallel.pp=4",
                                          "parallel.dp=64",          "parallel.ep=32",
                                          "parallel.micro_batches=8", "training.global_batch=512",
                                          "training.ramp.start_sequences=0"};
  auto rep_set = small;
  auto full_set = small;
  full_set.push_back("simulation.fidelity=full");
  const StepSimulation rep = simulate_step_full(default_with(rep_set));
  const StepSimulation full = simulate_step_full(default_with(full_set));
  // Every replica's compute is in the full graph; each EP group's all-to-all is one task its 32 member
  // replicas share.
  auto compute_tasks = [](const StepSimulation& sim) {
    std::size_t n = 0;
    for (const Task& t : sim.graph.graph.tasks()) n += t.kind == TaskKind::kCompute ? 1 : 0;
    return n;
  };
  EXPECT_EQ(compute_tasks(full), 64 * compute_tasks(rep));
  const double ratio = full.result.step / rep.result.step;
  EXPECT_GE(ratio, 0.995);
  EXPECT_LE(ratio, 1.01);
}

}  // namespace
}  // namespace deepsim
