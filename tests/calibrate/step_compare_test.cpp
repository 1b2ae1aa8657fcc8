// `deepsim compare`'s predictor: the step simulator on a measured run's own scenario, on the device that ran.
// The measured runs are made here (a tiny executor scenario, synthetic kernels with known durations), so every
// measured figure is known by hand and every predicted one is checked against an independent path through the
// simulator (simulate_step_full, stage_costs).
#include "calibrate/src/step_predictor.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "calib_test_util.h"
#include "sim/core/error.h"
#include "sim/model/stage_assignment.h"
#include "sim/step/simulate.h"
#include "sim/step/stage_costs.h"

namespace deepsim::calib {
namespace {

std::string tiny_yaml() {
  std::ifstream in(test::source_path("scenarios/exec/tiny.yaml"));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Steps 0 (warm-up), 1 (1.0 ms) and 2 (1.4 ms): the timed mean is 1.2 ms. Per step, in microseconds:
// gemm_bf16 100 F + 150 B + 120 W, attention_fwd 30 F, memory_bound 20 F, the optimizer 10 (memory_bound,
// op "optimizer", no phase) and one NCCL kernel of 5 tagged W (communication wins over the tag).
nlohmann::json run_json(const std::string& config, double bandwidth_gbps = 4000) {
  nlohmann::json j;
  j["schema"] = "deepsim.measured-run/1";
  j["device"] = {{"name", "NVIDIA H200"}, {"sms", 132}, {"memory_bandwidth_gbps", bandwidth_gbps}};
  j["date"] = "2026-12-01T00:00:00Z";
  j["config"] = config;
  const std::int64_t starts[] = {0, 2'000'000, 3'000'000};
  const std::int64_t ends[] = {2'000'000, 3'000'000, 4'400'000};
  for (int s = 0; s < 3; ++s) j["steps"].push_back({{"index", s}, {"start_ns", starts[s]}, {"end_ns", ends[s]}, {"warmup", s == 0}});
  j["kernels"] = nlohmann::json::array();
  for (int s = 0; s < 3; ++s) {
    std::int64_t t = starts[s];
    auto k = [&](const char* name, std::int64_t us, const char* op, const char* phase, const char* family) {
      nlohmann::json e = {{"name", name}, {"start_ns", t}, {"end_ns", t + us * 1000}, {"step", s}, {"op", op}};
      if (*phase != '\0') e["phase"] = phase;
      if (*family != '\0') e["family"] = family;
      j["kernels"].push_back(e);
      t += us * 1000;
    };
    k("nvjet_bf16", 100, "mla.q_b", "F", "gemm_bf16");
    k("nvjet_bf16", 150, "mla.q_b", "B", "gemm_bf16");
    k("nvjet_bf16", 120, "mla.q_b", "W", "gemm_bf16");
    k("attention_fwd_kernel", 30, "attention", "F", "attention_fwd");
    k("rmsnorm_fwd", 20, "attn_norm", "F", "memory_bound");
    k("adamw_kernel", 10, "optimizer", "", "memory_bound");
    k("ncclDevKernel_AllReduce_Sum_f32_RING_LL", 5, "untagged", "W", "");
  }
  return j;
}

MeasuredRun parse(const nlohmann::json& j) { return parse_measured_run(j.dump(), "made-in-test.json"); }

const CompareRow& row(const std::vector<CompareRow>& rows, const std::string& key) {
  for (const CompareRow& r : rows)
    if (r.key == key) return r;
  throw std::runtime_error("no row " + key);
}

TEST(StepCompare, MeasuredFiguresPerFamilyPhaseAndStep) {
  const RunComparison c = measured_figures(parse(run_json(tiny_yaml())));
  EXPECT_EQ(c.timed_steps, 2);
  EXPECT_NEAR(c.step.measured_s, 1.2e-3, 1e-15);
  EXPECT_NEAR(row(c.classes, "gemm_bf16").measured_s, 370e-6, 1e-15);
  EXPECT_NEAR(row(c.classes, "memory_bound").measured_s, 30e-6, 1e-15);
  EXPECT_NEAR(row(c.classes, "communication").measured_s, 5e-6, 1e-15);
  EXPECT_NEAR(row(c.phases, "F").measured_s, 150e-6, 1e-15);
  EXPECT_NEAR(row(c.phases, "B").measured_s, 150e-6, 1e-15);
  EXPECT_NEAR(row(c.phases, "W").measured_s, 120e-6, 1e-15);  // the NCCL kernel tagged W is communication
  EXPECT_NEAR(row(c.phases, "optimizer").measured_s, 10e-6, 1e-15);
  EXPECT_NEAR(row(c.phases, "communication").measured_s, 5e-6, 1e-15);
}

TEST(StepCompare, ScenarioIsTheRunsOwnOnTheDeviceThatRan) {
  // The executor's scenario names an H100; the run was on an H200 with 4000 GB/s measured; an exec: section
  // (executor-only keys) is dropped.
  const MeasuredRun run = parse(run_json(tiny_yaml() + "exec:\n  steps: 3\n"));
  const Scenario s = scenario_for_run(run);
  EXPECT_EQ(s.cluster.gpu.name, "H200");
  EXPECT_EQ(s.cluster.gpu.sms, 132);
  EXPECT_DOUBLE_EQ(s.cluster.gpu.hbm_bandwidth.gb_per_s(), 4000.0);
  EXPECT_EQ(s.model.layers, 2);
  EXPECT_EQ(s.parallel.micro_batches, 2);
}

TEST(StepCompare, PredictionIsTheStepSimulatorsOnTheSameOps) {
  const MeasuredRun run = parse(run_json(tiny_yaml()));
  const Scenario s = scenario_for_run(run);
  const PredictedRun p = predict_with_step_simulator(run);
  // The step is the simulator's makespan of that scenario.
  const StepSimulation sim = simulate_step_full(s);
  ASSERT_TRUE(p.step_seconds.has_value());
  EXPECT_DOUBLE_EQ(*p.step_seconds, sim.result.step.seconds());
  EXPECT_GT(*p.step_seconds, 0);
  // F / B / W are the kernel times of the ops the step graph was built from: stage_costs()'s segments.
  StageCostContext ctx;
  ctx.ops.tokens = static_cast<std::int64_t>(s.parallel.micro_batch_size) * s.training.seq_len;
  ctx.ops.seq_len = s.training.seq_len;
  ctx.ops.tp = s.parallel.tp;
  ctx.ops.precision = s.training.precision == "fp8" ? Precision::kFp8 : Precision::kBf16;
  ctx.ep = s.parallel.ep;
  ctx.sms = s.cluster.gpu.sms;
  const auto model = kernel_model_for(s);
  const StageCost sc = stage_costs(s.model, assign_layers(s.model, 1), *model, ctx).at(0);
  Time f = sc.pre.forward + sc.post.forward, b = sc.pre.backward_input + sc.post.backward_input,
       w = sc.pre.backward_weight + sc.post.backward_weight;
  for (const LayerCost& l : sc.layers) {
    f += l.attention.forward + l.mlp.forward;
    b += l.attention.backward_input + l.mlp.backward_input;
    w += l.attention.backward_weight + l.mlp.backward_weight;
  }
  const double mb = s.parallel.micro_batches;
  EXPECT_NEAR(p.phase_seconds.at("F"), f.seconds() * mb, 1e-9 * f.seconds() * mb);
  EXPECT_NEAR(p.phase_seconds.at("B"), b.seconds() * mb, 1e-9 * b.seconds() * mb);
  EXPECT_NEAR(p.phase_seconds.at("W"), w.seconds() * mb, 1e-9 * w.seconds() * mb);
  // Families and phases split the same time: sum over families = F + B + W + optimizer + communication.
  double families = 0;
  for (const auto& [k, v] : p.class_seconds) families += v;
  double phases = 0;
  for (const auto& [k, v] : p.phase_seconds) phases += v;
  EXPECT_NEAR(families, phases, 1e-12);
  EXPECT_GT(p.class_seconds.at("memory_bound"), 0);
  EXPECT_GT(p.class_seconds.at("attention_fwd"), 0);
  // Error arithmetic on the step: (predicted - 1.2 ms) / 1.2 ms.
  const RunComparison c = compare_run(run, p);
  EXPECT_NEAR(*c.step.error(), *p.step_seconds / 1.2e-3 - 1, 1e-12);
  EXPECT_NEAR(*row(c.classes, "gemm_bf16").error(),
              (p.class_seconds.count("gemm_bf16") ? p.class_seconds.at("gemm_bf16") : 0.0) / 370e-6 - 1, 1e-12);
}

TEST(StepCompare, TheMeasuredBandwidthMovesMemoryBoundPredictions) {
  const PredictedRun fast = predict_with_step_simulator(parse(run_json(tiny_yaml(), 4000)));
  const PredictedRun slow = predict_with_step_simulator(parse(run_json(tiny_yaml(), 1000)));
  EXPECT_GT(slow.class_seconds.at("memory_bound"), fast.class_seconds.at("memory_bound"));
  EXPECT_GE(*slow.step_seconds, *fast.step_seconds);
}

TEST(StepCompare, RunsThatCannotBeSimulatedAreInputErrors) {
  EXPECT_THROW((void)predict_with_step_simulator(parse(run_json(""))), InputError);  // no scenario
  nlohmann::json unknown = run_json(tiny_yaml());
  unknown["device"]["name"] = "cpu-reference";  // the CPU path of deepsim-exec: no catalog GPU
  EXPECT_THROW((void)predict_with_step_simulator(parse(unknown)), InputError);
  nlohmann::json bad_rank = run_json(tiny_yaml());
  bad_rank["rank"] = 3;
  bad_rank["ranks"] = 4;  // the tiny scenario is one GPU
  EXPECT_THROW((void)predict_with_step_simulator(parse(bad_rank)), InputError);
}

}  // namespace
}  // namespace deepsim::calib
