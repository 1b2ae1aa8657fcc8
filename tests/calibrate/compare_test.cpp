#include "calibrate/src/compare.h"

#include <gtest/gtest.h>

#include "calib_test_util.h"

namespace deepsim::calib {
namespace {

// Two timed steps of 1.0 and 1.2 ms (mean 1.1 ms); per step: gemm_fp8 0.3 ms in F and 0.5 ms in B
// (total 0.8), memory_bound 0.1 ms in W.
MeasuredRun run_fixture() {
  MeasuredRun r;
  r.file = "run.json";
  r.device = {"NVIDIA H800", "H800", 132, "", ""};
  r.steps = {{0, 0, 1'000'000, false}, {1, 1'000'000, 2'200'000, false}};
  auto k = [](int step, std::int64_t start, std::int64_t dur, const char* phase, const char* cls, bool shaped) {
    MeasuredKernel m;
    m.name = cls;
    m.step = step;
    m.start_ns = start;
    m.end_ns = start + dur;
    m.phase = phase;
    m.kernel_class = cls;
    if (shaped) m.work = OpWork{OpFamily::kGemmFp8, Flops(1), Bytes(1), 1, 1, 1, 1};
    return m;
  };
  for (int s : {0, 1}) {
    const std::int64_t t0 = s * 1'000'000;
    r.kernels.push_back(k(s, t0, 300'000, "F", "gemm_fp8", true));
    r.kernels.push_back(k(s, t0 + 300'000, 500'000, "B", "gemm_fp8", true));
    r.kernels.push_back(k(s, t0 + 800'000, 100'000, "W", "memory_bound", false));
  }
  return r;
}

TEST(Compare, PerClassPhaseAndStepErrors) {
  PredictedRun p;
  p.class_seconds = {{"gemm_fp8", 0.88e-3}, {"memory_bound", 0.09e-3}};  // +10%, -10%
  p.phase_seconds = {{"F", 0.3e-3}, {"B", 0.6e-3}};                      // 0%, +20%; W not predicted
  p.step_seconds = 1.21e-3;                                              // +10% of 1.1 ms
  const RunComparison c = compare_run(run_fixture(), p);
  ASSERT_EQ(c.classes.size(), 2u);
  EXPECT_EQ(c.classes[0].key, "gemm_fp8");
  EXPECT_NEAR(c.classes[0].measured_s, 0.8e-3, 1e-15);
  EXPECT_NEAR(*c.classes[0].error(), 0.10, 1e-12);
  EXPECT_NEAR(*c.classes[1].error(), -0.10, 1e-12);
  EXPECT_NEAR(*c.class_mape, 0.10, 1e-12);
  ASSERT_EQ(c.phases.size(), 3u);
  EXPECT_NEAR(*c.phases[1].error(), 0.20, 1e-12);
  EXPECT_FALSE(c.phases[2].error().has_value());
  EXPECT_NEAR(c.step.measured_s, 1.1e-3, 1e-15);
  EXPECT_NEAR(*c.step.error(), 0.10, 1e-12);
  const nlohmann::json j = comparison_json({{c}, {}, {}, std::nullopt});
  EXPECT_NEAR(j["runs"][0]["classes"][0]["error_pct"].get<double>(), 10.0, 1e-9);
  EXPECT_TRUE(j["runs"][0]["phases"][2]["predicted_ms"].is_null());
}

TEST(Compare, SeveralRunsGiveOneSummary) {
  // Run A predicted +10% on the step, run B -30%: step MAPE 20%.
  const std::vector<MeasuredRun> runs = {run_fixture(), run_fixture()};
  int call = 0;
  const ComparisonSummary s = compare_runs(runs, [&](const MeasuredRun&) {
    PredictedRun p;
    p.step_seconds = 1.1e-3 * (call++ == 0 ? 1.1 : 0.7);
    p.class_seconds = {{"gemm_fp8", 0.8e-3}};
    return p;
  });
  ASSERT_EQ(s.runs.size(), 2u);
  EXPECT_NEAR(*s.step_mape, 0.20, 1e-12);
  EXPECT_NEAR(s.class_mape.at("gemm_fp8"), 0.0, 1e-12);
  EXPECT_NE(comparison_table(s).find("summary over 2 runs"), std::string::npos);
}

class FixedModel final : public KernelModel {
 public:
  [[nodiscard]] Time time(const OpWork&, int) const override { return Time::us(100); }
  [[nodiscard]] std::string describe() const override { return "fixed 100 us"; }
  [[nodiscard]] KernelSource source(OpFamily) const override { return {false, "fixed 100 us"}; }
};

TEST(Compare, KernelModelPredictorSkipsClassesWithUnshapedKernels) {
  // Each timed step has two shaped gemm_fp8 kernels: predicted 2 x 100 us per step. memory_bound kernels
  // have no shape, so that class (and phase W) gets no prediction.
  const PredictedRun p = predict_with_kernel_model(run_fixture(), FixedModel());
  EXPECT_NEAR(p.class_seconds.at("gemm_fp8"), 200e-6, 1e-15);
  EXPECT_EQ(p.class_seconds.count("memory_bound"), 0u);
  EXPECT_NEAR(p.phase_seconds.at("F"), 100e-6, 1e-15);
  EXPECT_EQ(p.phase_seconds.count("W"), 0u);
  EXPECT_FALSE(p.step_seconds.has_value());
}

}  // namespace
}  // namespace deepsim::calib
