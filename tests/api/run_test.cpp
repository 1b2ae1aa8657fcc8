// The front-end API's runs: progress, cancel, plain summaries, timeline, sweeps, two runs on two threads.
#include "sim/api/run.h"

#include <gtest/gtest.h>

#include "sim/core/error.h"

#include <algorithm>
#include <thread>

#include "sim/api/scenario_doc.h"
#include "sim/api/summary.h"
#include "sim/api/sweep_run.h"
#include "sim/api/timeline.h"
#include "sim/hw/catalog.h"
#include "sim/report/result_json.h"
#include "sim/scenario/loader.h"

namespace deepsim::api {
namespace {

const std::string kSmall = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/examples/small-h100.yaml";

Scenario small() { return load(read_scenario_doc(kSmall)); }

TEST(Run, ReportsProgressAndItsSummaryIsTheForecast) {
  std::vector<Progress> seen;
  RunControl control;
  control.progress = [&](const Progress& p) { seen.push_back(p); };
  const RunOutput r = run_forecast(small(), control);
  ASSERT_GE(seen.size(), 2U);
  EXPECT_EQ(seen.back().done, seen.back().total);  // the last report says it is done
  const RunSummary s = summarize(r);
  EXPECT_GT(s.headline.gpu_hours, 0);
  EXPECT_DOUBLE_EQ(s.headline.gpu_hours, r.report.forecast.gpu_hours);
  EXPECT_DOUBLE_EQ(s.headline.rental_usd, r.report.forecast.gpu_hours * 2.5);  // pricing.usd_per_gpu_hour
  EXPECT_EQ(s.headline.gpus, 16);
  ASSERT_EQ(s.memory.size(), 2U);  // pp 2
  EXPECT_TRUE(s.memory[0].fits());
  EXPECT_DOUBLE_EQ(s.memory[0].hbm_gb, find_gpu("H100")->hbm.gb());
  EXPECT_FALSE(s.phases.empty());
  EXPECT_FALSE(s.links.empty());
  EXPECT_EQ(s.ranks.size(), 2U);
}

// Without link use over time (what `deepsim run` without --out and sweep points ask for) the trace has
// no utilisation channels and every figure, result.json included, is the same.
TEST(Run, LinkUseOffChangesNoFigure) {
  const RunOutput with = run_forecast(small());
  const RunOutput without = run_forecast(small(), {}, RunRecording{false});
  EXPECT_GT(with.step.link_use.channels(), 0U);
  EXPECT_EQ(without.step.link_use.channels(), 0U);
  EXPECT_EQ(result_json(with.report).dump(), result_json(without.report).dump());
  EXPECT_EQ(with.step.run.makespan, without.step.run.makespan);
}

// The same run on one thread and on three, and the stages the three-thread run reported.
struct OneAndThree {
  RunOutput one, three;
  std::vector<std::string> stages;
  [[nodiscard]] bool reported(const std::string& text) const {
    return std::any_of(stages.begin(), stages.end(), [&](const std::string& st) { return st.find(text) != std::string::npos; });
  }
};

OneAndThree run_on_one_and_three(const Scenario& s) {
  RunControl one, three;
  one.threads = 1;
  three.threads = 3;
  std::vector<std::string> stages;
  three.progress = [&](const Progress& p) { stages.push_back(p.stage); };
  RunOutput a = run_forecast(s, one, RunRecording{false});
  RunOutput b = run_forecast(s, three, RunRecording{false});
  return {std::move(a), std::move(b), std::move(stages)};
}

// The forecast's other steps (here the batch ramp's levels of the default scenario) are simulated ahead
// on several threads: every figure, result.json included, is the same as one at a time.
TEST(Run, ForecastStepsOnThreadsChangeNoFigure) {
  const OneAndThree r =
      run_on_one_and_three(load(read_scenario_doc(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml")));
  EXPECT_GE(r.one.report.forecast.steps.size(), 3U) << "the ramp has levels to simulate";
  EXPECT_EQ(result_json(r.one.report).dump(), result_json(r.three.report).dump());
  EXPECT_TRUE(r.reported("on 3 threads"));
  for (const std::string& st : r.stages) EXPECT_EQ(st.find("forecast: simulating step"), std::string::npos) << st;
}

TEST(Run, TheImbalanceStudyOnThreadsChangesNoFigure) {
  // A skewed MoE load model with bias balancing and EPLB: the study's five variants run beside the
  // configured step and the forecast's steps, sharing router draws; rows and report as on one thread.
  const OneAndThree r = run_on_one_and_three(load_scenario_file(
      kSmall, std::vector<std::string>{"moe.source=zipf", "moe.zipf_exponent=1.0", "moe.balancing=true",
                                       "moe.bias_gamma=0.01", "moe.eplb.policy=hierarchical",
                                       "moe.eplb.redundant_experts=8", "moe.probe_tokens=128", "moe.warmup_steps=4"}));
  const auto& a = r.one.imbalance;
  const auto& b = r.three.imbalance;
  ASSERT_EQ(a.size(), 5U);
  ASSERT_EQ(b.size(), 5U);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].variant, b[i].variant);
    EXPECT_EQ(a[i].step, b[i].step) << a[i].variant;
    EXPECT_EQ(a[i].vs_balanced, b[i].vs_balanced) << a[i].variant;
    EXPECT_EQ(a[i].gpu_max_over_mean, b[i].gpu_max_over_mean) << a[i].variant;
  }
  EXPECT_GT(a[1].step, a[0].step) << "the skew costs time: the rows are not all one step";
  EXPECT_EQ(result_json(r.one.report).dump(), result_json(r.three.report).dump());
  EXPECT_TRUE(r.reported("5 imbalance variants"));
}

TEST(Run, AFullFidelityRunSimulatesItsRepresentativeRampStepsBesideTheFullStep) {
  // Full fidelity: the ramp levels are representative steps (forecast.cpp), which run on the pool beside
  // the one full step; the figures are those of one thread.
  const OneAndThree r = run_on_one_and_three(load_scenario_file(
      kSmall, std::vector<std::string>{"simulation.fidelity=full", "training.ramp.start_sequences=16",
                                       "training.ramp.tokens=10M"}));
  EXPECT_GE(r.one.report.forecast.steps.size(), 3U) << "the ramp has levels to simulate";
  EXPECT_EQ(result_json(r.one.report).dump(), result_json(r.three.report).dump());
  EXPECT_TRUE(r.reported("forecast steps on 3 threads"));
}

TEST(Run, ACancelledRunThrowsCancelledAndReportsNothingAfter) {
  RunControl control;
  control.cancel.cancel();
  int reports = 0;
  control.progress = [&](const Progress&) { ++reports; };
  EXPECT_THROW((void)run_forecast(small(), control), Cancelled);
  EXPECT_EQ(reports, 0);
}

TEST(Run, CancelRequestedDuringTheRunStopsIt) {
  RunControl control;
  CancelToken token = control.cancel;  // a copy shares the flag
  control.progress = [token](const Progress&) { token.cancel(); };
  EXPECT_THROW((void)run_forecast(small(), control), Cancelled);
}

TEST(Run, TwoRunsOnTwoThreadsGiveTheSameFiguresAsOne) {
  const Scenario s = small();
  const double alone = summarize(run_forecast(s)).headline.gpu_hours;
  double a = 0, b = 0;
  std::thread ta([&] { a = summarize(run_forecast(s)).headline.gpu_hours; });
  std::thread tb([&] { b = summarize(run_forecast(s)).headline.gpu_hours; });
  ta.join();
  tb.join();
  EXPECT_EQ(a, alone);
  EXPECT_EQ(b, alone);
}

TEST(Timeline, ComputeSlicesAddUpToEachRanksBusyTimeAndBubblesFillTheRest) {
  const StepSimulation step = run_step(small());
  const Timeline t = timeline(step, 0);
  ASSERT_EQ(t.ranks, 2);
  for (const RankResult& rr : step.result.ranks) {
    double busy = 0, idle = 0, last_end = 0;
    int forwards = 0, backwards = 0;
    for (const TimelineSlice& s : t.slices) {
      if (s.rank != rr.rank || s.comm_lane) continue;
      EXPECT_GE(s.start_s, last_end - 1e-12) << "compute slices of one rank must not overlap: " << s.op;
      last_end = s.end_s;
      (s.kind == SliceKind::kBubble ? idle : busy) += s.duration_s();
      forwards += s.kind == SliceKind::kForward;
      backwards += s.kind == SliceKind::kBackward;
    }
    EXPECT_NEAR(busy, rr.busy.seconds(), 1e-9);
    EXPECT_NEAR(busy + idle, step.result.step.seconds(), 1e-9);
    EXPECT_GT(forwards, 0);
    EXPECT_GT(backwards, 0);
  }
  bool micro_batch_seen = false;
  for (const TimelineSlice& s : t.slices) micro_batch_seen |= s.micro_batch == 7;  // 8 micro-batches: 0..7
  EXPECT_TRUE(micro_batch_seen);
}

TEST(Sweep, RunsEveryPointKeepsInfeasibleOnesAndOrdersThemRowMajor) {
  SweepSpec spec{read_scenario_doc(kSmall), {{"cluster.gpu", {"H100", "H200"}}, {"parallel.ep", {"8", "3"}}}, 2};
  int seen = 0;
  const SweepOutcome out = run_sweep(spec, {}, [&](const SweepPoint&) { ++seen; });
  ASSERT_EQ(out.points.size(), 4U);
  EXPECT_EQ(seen, 4);
  EXPECT_FALSE(out.cancelled);
  EXPECT_EQ(out.points[1].label, "cluster.gpu=H100 parallel.ep=3");
  EXPECT_EQ(out.points[1].position, (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(out.points[0].feasible());
  EXPECT_FALSE(out.points[1].ran());  // 64 experts do not split over 3 EP ranks x ... : an input error
  EXPECT_FALSE(out.points[1].error.empty());
  ASSERT_TRUE(out.points[2].feasible());
  EXPECT_EQ(out.points[2].headline->gpu, "H200");
  EXPECT_DOUBLE_EQ(out.points[2].headline->rental_usd, out.points[2].headline->gpu_hours * 2.5);
  // Same compute peak, faster HBM: the H200 step is no slower than the H100 one.
  EXPECT_LE(out.points[2].headline->step_s, out.points[0].headline->step_s);
}

TEST(Sweep, CancelStopsHandingOutPointsAndAnUnknownKeyIsAnInputError) {
  SweepSpec spec{read_scenario_doc(kSmall), {{"pricing.usd_per_gpu_hour", {"1", "2", "3", "4", "5", "6"}}}, 1};
  RunControl control;
  CancelToken token = control.cancel;
  const SweepOutcome out = run_sweep(spec, control, [&](const SweepPoint&) { token.cancel(); });
  EXPECT_TRUE(out.cancelled);
  EXPECT_EQ(out.points.size(), 1U);
  spec.axes[0].key = "pricing.usd_per_gpu_hr";
  EXPECT_THROW((void)to_sweep(spec), deepsim::InputError);
}

}  // namespace
}  // namespace deepsim::api
