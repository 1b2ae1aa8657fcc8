// search_plans: pruning before simulation, rankings, the Pareto front, the bound that prunes, and the
// same bytes for any thread count.
#include "sim/plan/plan_search.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/plan/plan_report.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"
#include "sim/step/step_bound.h"
#include "tests/forecast/forecast_test_support.h"

namespace deepsim {
namespace {

// pp 1 or 2, ep 1 or 8, three schedules, recompute or not, two node counts on the small 16-GPU scenario. With ep 1 all 64
// experts of 13 MoE layers sit on every GPU: far over 80 GB, so those plans must be pruned by memory.
SearchSpace small_space(const Scenario& base) {
  SearchSpace space(base);
  space.vary("cluster.nodes=1,2");
  space.vary("parallel.pp=1,2");
  space.vary("parallel.ep=1,8");
  space.vary("parallel.schedule=1f1b,gpipe,zb1p");
  space.vary("parallel.micro_batch_size=1");
  space.vary("training.recompute=none,partial");
  space.vary("parallel.zero_stage=1");
  return space;
}

PlanSearch search(const Scenario& base, const SearchSpace& space, int threads, StepFn step = {}) {
  ThreadWorkPool pool(threads);
  PlanSearchOptions o;
  o.pool = &pool;
  o.step = std::move(step);
  return search_plans(base, space, o);
}

TEST(PlanSearch, PlansThatDoNotFitArePrunedBeforeSimulationAndNeverWin) {
  const Scenario base = test::small_run();
  const SearchSpace space = small_space(base);
  std::atomic<int> simulated_ep1{0};
  // A step that would make every ep-1 plan the fastest and cheapest by far, had it been simulated.
  const StepFn step = [&](const Scenario& s) {
    if (s.parallel.ep == 1) ++simulated_ep1;
    StepResult r = test::synthetic_step(s);
    if (s.parallel.ep == 1) r.step = Time::us(1);
    return r;
  };
  const PlanSearch r = search(base, space, 2, step);
  EXPECT_EQ(simulated_ep1.load(), 0);
  EXPECT_GT(r.pruned_memory, 0U);
  for (const auto& p : r.plans) {
    if (r.value(p, "ep") != 1) continue;
    // Pruned before any simulation: by memory, or earlier by a placement rule.
    EXPECT_TRUE(p.status == PlanStatus::kPrunedMemory || p.status == PlanStatus::kPrunedPlacement) << p.description;
    if (p.status == PlanStatus::kPrunedMemory) {
      EXPECT_NE(p.reason.find("HBM"), std::string::npos) << p.reason;
    }
  }
  const PlanEvaluation& best = r.plans[r.by_time.front()];
  EXPECT_LE(best.peak_memory.value(), best.hbm.value());
  EXPECT_EQ(r.plans[r.by_cost.front()].status, PlanStatus::kSimulated);
}

TEST(PlanSearch, PicksZeroTwoWhenItIsTheOnlyStageThatFits) {
  // The small scenario's plan with only the ZeRO stage searched, on a GPU whose HBM lies between the
  // ZeRO-2 and ZeRO-1 peaks (the memory model's own figures, checked by hand in memory_plan_test).
  Scenario base = test::small_run({"training.ramp.start_sequences=0"});
  SearchSpace space(base);
  for (const char* fixed : {"cluster.nodes=2", "parallel.pp=2", "parallel.ep=8", "parallel.schedule=1f1b",
                            "parallel.virtual_stages=1", "parallel.micro_batch_size=1", "training.recompute=none"})
    space.vary(fixed);
  space.vary("parallel.zero_stage=0,1,2");
  ASSERT_EQ(space.size(), 3U);
  std::vector<double> peak;
  for (std::uint64_t i = 0; i < 3; ++i)
    peak.push_back(analyze(space.apply(base, space.plan_at(i))).memory.peak().total().value());
  ASSERT_GT(peak[0], peak[1]);
  ASSERT_GT(peak[1], peak[2]);  // ZeRO-2 also divides the FP32 gradients by dp = 8
  base.cluster.gpu.hbm = Bytes((peak[1] + peak[2]) / 2);
  const PlanSearch r = search(base, space, 1, test::synthetic_step);
  EXPECT_EQ(r.pruned_memory, 2U);
  ASSERT_EQ(r.by_time.size(), 1U);
  EXPECT_EQ(r.value(r.plans[r.by_time.front()], "zero_stage"), 2);
}

TEST(PlanSearch, RankingsAreSortedAndTheParetoFrontIsExactlyTheUndominatedPlans) {
  const Scenario base = test::small_run();
  const PlanSearch r = search(base, small_space(base), 2);
  ASSERT_GE(r.by_time.size(), 2U);
  for (std::size_t k = 1; k < r.by_time.size(); ++k)
    EXPECT_LE(r.plans[r.by_time[k - 1]].run_s, r.plans[r.by_time[k]].run_s);
  for (std::size_t k = 1; k < r.by_cost.size(); ++k)
    EXPECT_LE(r.plans[r.by_cost[k - 1]].cost_usd, r.plans[r.by_cost[k]].cost_usd);
  // Brute force: a simulated plan is on the front iff no other simulated plan is at least as good on
  // both objectives and better on one (ties resolved towards the faster, then lower index).
  for (std::size_t a : r.by_time) {
    const PlanEvaluation& pa = r.plans[a];
    bool dominated = false;
    for (std::size_t b : r.by_time) {
      const PlanEvaluation& pb = r.plans[b];
      if (a == b) continue;
      const bool better_or_equal = pb.run_s <= pa.run_s && pb.cost_usd <= pa.cost_usd;
      const bool strictly = pb.run_s < pa.run_s || pb.cost_usd < pa.cost_usd || pb.index < pa.index;
      if (better_or_equal && strictly) dominated = true;
    }
    EXPECT_EQ(pa.pareto, !dominated) << pa.description;
  }
  EXPECT_EQ(r.pareto.front(), r.by_time.front());
  EXPECT_EQ(r.pareto.back(), r.by_cost.front());
  ASSERT_EQ(r.why.size(), 2U);
  EXPECT_NE(r.why[0].find("bubble"), std::string::npos);
  EXPECT_NE(r.why[0].find("headroom"), std::string::npos);
}

TEST(PlanSearch, TheLowerBoundThatPrunesIsBelowEverySimulatedStep) {
  const Scenario base = test::small_run();
  const PlanSearch r = search(base, small_space(base), 2);
  ASSERT_GT(r.simulated, 0U);
  for (std::size_t i : r.by_time) {
    const PlanEvaluation& p = r.plans[i];
    EXPECT_LE(p.step_lower_bound, p.step) << p.description;
    EXPECT_LE(p.lower_bound_cost_usd, p.cost_usd) << p.description;
  }
  // Every bound-pruned plan is covered by some simulated plan on both objectives.
  for (const auto& p : r.plans) {
    if (p.status != PlanStatus::kPrunedBound) continue;
    bool covered = false;
    for (std::size_t i : r.by_time)
      covered = covered || (r.plans[i].run_s <= p.lower_bound_run_s && r.plans[i].cost_usd <= p.lower_bound_cost_usd);
    EXPECT_TRUE(covered) << p.description;
  }
}

// A dense model's search over TP and sequence parallelism, simulated by the real step: the tighter
// bound (compute_step_bound) stays below every simulated step, and tp = 1 appears once, without SP.
TEST(PlanSearch, DenseTpSearchBoundsEverySimulatedStepAndSkipsSequenceParallelismWithoutTp) {
  const std::vector<std::string> layers = {"model.layers=8"};
  const Scenario base =
      load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/22b-full.yaml", layers);
  SearchSpace space(base);
  space.vary("parallel.pp=1,2");
  space.vary("parallel.schedule=1f1b,dualpipe");
  space.vary("parallel.zero_stage=1");
  const PlanSearch r = search(base, space, 2);
  ASSERT_GT(r.simulated, 1U);
  for (const auto& p : r.plans) EXPECT_FALSE(r.value(p, "tp") == 1 && r.value(p, "sequence_parallel") == 1) << p.description;
  bool tp_wins_somewhere = false;
  for (std::size_t i : r.by_time) {
    const PlanEvaluation& p = r.plans[i];
    EXPECT_LE(p.step_lower_bound, p.step) << p.description;
    tp_wins_somewhere = tp_wins_somewhere || r.value(p, "tp") > 1;
  }
  EXPECT_TRUE(tp_wins_somewhere);
  EXPECT_GT(r.pruned_bound, 0U);
}

// The shipped 530B example (5,120 GPUs) loads, its own plan simulates, and the bound holds below it.
TEST(PlanSearch, TheDense530bExampleRunsItsOwnPlanAboveItsBound) {
  const Scenario s = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/examples/megatron-530b-5120.yaml");
  EXPECT_EQ(s.cluster.total_gpus(), 5120);
  const StaticAnalysis a = analyze(s);
  const Time bound = compute_step_bound(s, a);
  const Time step = simulate_step(s).step;
  EXPECT_GT(bound, a.step_lower_bound());
  EXPECT_LE(bound, step);
}

TEST(PlanSearch, SameBytesForOneThreadAndTwo) {
  const Scenario base = test::small_run();
  const SearchSpace space = small_space(base);
  const PlanSearch one = search(base, space, 1), two = search(base, space, 2);
  EXPECT_EQ(plans_csv(one), plans_csv(two));
  EXPECT_EQ(plans_json(one), plans_json(two));
  EXPECT_EQ(plans_html(one, 10), plans_html(two, 10));
}

TEST(PlanSearch, NoRunnablePlanIsAnInputErrorWithTheCommonestReason) {
  const Scenario base = test::small_run();
  SearchSpace space = small_space(base);
  space.vary("parallel.ep=1");      // never fits
  space.vary("cluster.nodes=2");    // every plan placeable, so memory is the reason
  try {
    (void)search(base, space, 1, test::synthetic_step);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "plan");
    EXPECT_NE(e.message().find("HBM"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace deepsim
