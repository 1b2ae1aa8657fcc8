// StepKey: what makes two steps the same simulation.
#include "sim/step/step_key.h"

#include <gtest/gtest.h>

#include "sim/forecast/phase_setup.h"
#include "sim/step/simulate.h"
#include "tests/forecast/forecast_test_support.h"

namespace deepsim {
namespace {

TEST(StepKey, TheForecastsFullBatchStepIsTheConfiguredStep) {
  // step_scenario rewrites the ramp and batch keys and reloads the scenario; the step is the same one
  // `deepsim run` simulated, so its key must match (the reuse that never fired with a YAML key).
  const Scenario s = test::small_run();
  const StepScenario full = step_scenario(s, {}, s.training.global_batch, s.training.seq_len, "pre_training");
  EXPECT_EQ(StepKey(full.scenario), StepKey(s));
  const StepScenario ramp = step_scenario(s, {}, 16, s.training.seq_len, "pre_training");
  EXPECT_FALSE(StepKey(ramp.scenario) == StepKey(s));  // fewer micro-batches: another step
}

TEST(StepKey, FieldsTheStepReadsChangeTheKeyAndTheOthersDoNot) {
  const Scenario s = test::small_run();
  EXPECT_EQ(StepKey(test::small_run({"pricing.usd_per_gpu_hour=9", "failures.gpu_mtbf_hours=100",
                                     "name=other"})),
            StepKey(s));
  EXPECT_FALSE(StepKey(test::small_run({"seed=2"})) == StepKey(s));
  EXPECT_FALSE(StepKey(test::small_run({"parallel.comm_sms=24"})) == StepKey(s));
  EXPECT_FALSE(StepKey(test::small_run({"cluster.gpu=H800"})) == StepKey(s));
  EXPECT_FALSE(StepKey(test::small_run({"training.seq_len=2048"})) == StepKey(s));
}

}  // namespace
}  // namespace deepsim
