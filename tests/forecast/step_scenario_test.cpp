// step_scenario's shortcut (the base with the step's keys set, validated) against the reference that
// prints the base and loads it with those keys as overrides: the same Scenario for every phase and
// batch-ramp level of every shipped run scenario, and the same error where the step cannot run.
#include "sim/forecast/phase_setup.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/scenario/loader.h"

namespace deepsim {
namespace {

TEST(StepScenario, ShortcutEqualsLoadingTheOverridesOnEveryShippedPhaseAndRampLevel) {
  int compared = 0;
  for (const char* file : {"scenarios/default.yaml", "scenarios/full-run/deepseek-v3.yaml", "scenarios/examples/small-h100.yaml",
                           "scenarios/examples/default-zipf.yaml", "scenarios/examples/megatron-530b-5120.yaml",
                           "scenarios/validation/megatron-selene/175b-seqsel.yaml"}) {
    const Scenario base = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/" + file);
    for (const PhaseDef& def : run_phases(base)) {
      if (!def.plan.empty()) continue;  // a phase plan always takes the load
      for (const BatchBlock& b : phase_batches(base, def)) {
        const StepScenario fast = step_scenario(base, def.plan, b.batch_sequences, def.seq_len, def.key);
        const Scenario slow = step_scenario_by_loading(base, def.plan, def.seq_len,
                                                       static_cast<std::int64_t>(fast.scenario.training.global_batch),
                                                       fast.micro_batches);
        EXPECT_TRUE(fast.scenario == slow) << file << " " << def.key << " batch " << b.batch_sequences;
        EXPECT_EQ(to_yaml(fast.scenario), to_yaml(slow)) << file << " " << def.key;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 20);
}

TEST(StepScenario, AStepThatCannotRunReportsWhatTheLoadReports) {
  // GPT-22B with sequence parallelism over TP8 at a sequence length whose 4 x 1021 tokens TP8 does not
  // divide: the shortcut's validation fails, so the load runs and its error is what the caller sees.
  const Scenario base =
      load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/22b-seqsel.yaml");
  std::string loaded;
  try {
    (void)step_scenario_by_loading(base, {}, 1021, 4, 1);
  } catch (const InputError& e) {
    loaded = e.what();
  }
  ASSERT_FALSE(loaded.empty());
  EXPECT_NE(loaded.find("sequence_parallel"), std::string::npos) << loaded;
  try {
    (void)step_scenario(base, {}, 4, 1021, "pre_training");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), loaded);
  }
}

}  // namespace
}  // namespace deepsim
