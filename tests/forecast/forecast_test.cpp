// The whole-run forecast with an injected step function (tests/forecast/forecast_test_support.h).
//
// Pre-training of the small run: b0 = 16, b1 = 64, u = dp x mbs = 8, L = 4096, T_r = 2^22 = 4,194,304,
// K = 2, T = 2^24 = 16,777,216.
//   interval 0 [0, 2^21): midpoint 2^20 -> b = 16 + 48/4 = 28 -> 8 x round(3.5) = 32 sequences:
//     ceil(2^21 / (32 x 4096)) = 16 steps, 2^21 tokens.
//   interval 1 [2^21, 2^22): midpoint 3 x 2^20 -> b = 16 + 36 = 52 -> 8 x round(6.5) = 56 sequences:
//     ceil(2^21 / (56 x 4096)) = ceil(9.14) = 10 steps, 2,293,760 tokens (trained 4,390,912).
//   tail: ceil((2^24 - 4,390,912) / (64 x 4096)) = ceil(47.25) = 48 steps of 64.
// Context extension: 10 steps of 32 x 8192 (4 micro-batches per pipeline); SFT: ceil(1e6 / 262144) = 4 steps.
// Synthetic step time: micro_batches x seq_len ns + 1 ms.
#include "sim/forecast/forecast.h"

#include <gtest/gtest.h>

#include <vector>

#include "sim/core/error.h"
#include "tests/forecast/forecast_test_support.h"

namespace deepsim {
namespace {

double step_s(int micro_batches, int seq_len) { return micro_batches * seq_len * 1e-9 + 1e-3; }

TEST(Forecast, PhasesAndBlocksFollowTheHandCalculation) {
  const Forecast f = forecast_run(test::small_run(), test::synthetic_step);
  ASSERT_EQ(f.phases.size(), 3u);
  const PhaseForecast& pre = f.phases[0];
  ASSERT_EQ(pre.blocks.size(), 3u);
  EXPECT_EQ(pre.blocks[0].batch_sequences, 32);
  EXPECT_EQ(pre.blocks[0].steps, 16);
  EXPECT_EQ(pre.blocks[1].batch_sequences, 56);
  EXPECT_EQ(pre.blocks[1].steps, 10);
  EXPECT_EQ(pre.blocks[2].batch_sequences, 64);
  EXPECT_EQ(pre.blocks[2].steps, 48);
  EXPECT_EQ(f.ramp_steps, 26);
  EXPECT_EQ(f.phases[1].key, "context_extension.stage1");
  EXPECT_EQ(f.phases[1].steps, 10);
  EXPECT_EQ(f.phases[1].tokens, 10.0 * 32 * 8192);
  EXPECT_EQ(f.phases[2].key, "post_training.sft");
  EXPECT_EQ(f.phases[2].steps, 4);
  EXPECT_EQ(f.total_steps, 16 + 10 + 48 + 10 + 4);
  // Distinct steps: 3 pre-training batches, the 8K stage, and SFT's batch 64 at 4K is pre-training's tail.
  EXPECT_EQ(f.steps.size(), 4u);
}

TEST(Forecast, GpuHoursAreTheSumOverStepsOfStepTimeTimesGpus) {
  const Forecast f = forecast_run(test::small_run(), test::synthetic_step);
  constexpr int kGpus = 16;
  const double expected_s = 16 * step_s(4, 4096) + 10 * step_s(7, 4096) + 48 * step_s(8, 4096) +
                            10 * step_s(4, 8192) + 4 * step_s(8, 4096);
  EXPECT_NEAR(f.compute_gpu_hours, expected_s * kGpus / 3600.0, 1e-12);
  // Failures are off and checkpoints free in this scenario: wall time is compute time.
  EXPECT_NEAR(f.gpu_hours, f.compute_gpu_hours, 1e-12);
  EXPECT_NEAR(f.wall_s, expected_s, 1e-9);
}

TEST(Forecast, PhasePlanAppliesToThatPhaseOnly) {
  std::vector<std::string> schedules;
  const StepFn spy = [&](const Scenario& s) {
    schedules.emplace_back(to_string(s.parallel.schedule));
    return test::synthetic_step(s);
  };
  (void)forecast_run(test::small_run(), spy);
  EXPECT_EQ(schedules, (std::vector<std::string>{"1f1b", "1f1b", "1f1b", "zb1p"}));
}

TEST(Forecast, FailuresStretchWallTimeByTheClosedForm) {
  // 16 GPUs at 1000 h and 2 nodes at 1000 h: lambda = 0.018 /h. tau = 1 h, C = 36 s = 0.01 h, R = 0.1 h:
  // l = 0.1 + 0.505 = 0.605 h; W = T (1.01) / (1 - 0.01089).
  const Scenario s = test::small_run({"failures.gpu_mtbf_hours=1000", "failures.node_mtbf_hours=1000",
                                      "failures.checkpoint_write_s=36", "failures.restart_min=6"});
  const Forecast f = forecast_run(s, test::synthetic_step);
  for (const PhaseForecast& ph : f.phases) {
    EXPECT_NEAR(ph.failures.rate_per_h, 0.018, 1e-15);
    EXPECT_NEAR(ph.wall_s, ph.compute_s * 1.01 / (1 - 0.018 * 0.605), 1e-9 * ph.wall_s);
    EXPECT_NEAR(ph.gpu_hours, ph.wall_s / 3600.0 * 16, 1e-9 * ph.gpu_hours);
    EXPECT_GT(ph.young_interval_h, 0.0);
  }
}

TEST(Forecast, ThroughputAndMfuUseModelFlopsOverComputeTime) {
  const Forecast f = forecast_run(test::small_run(), test::synthetic_step);
  const double gpu_s = f.compute_gpu_hours * 3600.0;
  const Throughput& t = f.throughput;
  EXPECT_NEAR(t.tflops_per_gpu_causal, t.model_flops_causal / gpu_s / 1e12, 1e-9);
  EXPECT_NEAR(t.mfu_bf16_causal, t.model_flops_causal / gpu_s / 989.4e12, 1e-12);
  EXPECT_NEAR(t.mfu_fp8_causal, t.mfu_bf16_causal / 2, 1e-12);  // H100: FP8 dense = 2 x BF16 dense
  EXPECT_GT(t.model_flops_non_causal, t.model_flops_causal);
  EXPECT_NEAR(t.tokens_per_s, f.tokens / f.wall_s, 1e-6);
}

TEST(Forecast, UnevenBatchIsSimulatedAsTheFullestReplicaAndNoted) {
  // 30 sequences over dp 8: 3.75 per pipeline -> 4 micro-batches.
  const Forecast f = forecast_run(test::small_run({"context_extension.stage1.global_batch=30"}), test::synthetic_step);
  EXPECT_EQ(f.steps.back().micro_batches, 4);
  EXPECT_EQ(f.phases[1].tokens, 10.0 * 30 * 8192);
  bool noted = false;
  for (const auto& n : f.notes) noted = noted || n.find("3.75 sequences per pipeline") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(Forecast, BadPhasePlanNamesThePhase) {
  try {
    (void)forecast_run(test::small_run({"context_extension.stage1.plan=parallel.ppp=2"}), test::synthetic_step);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "context_extension.stage1.plan");
    EXPECT_NE(std::string(e.what()).find("did you mean 'pp'"), std::string::npos) << e.what();
  }
}

TEST(Forecast, StepsAndTokensTogetherAreAnError) {
  EXPECT_THROW((void)forecast_run(test::small_run({"post_training.sft.steps=3"}), test::synthetic_step), InputError);
}

}  // namespace
}  // namespace deepsim
