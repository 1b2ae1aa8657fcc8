// The phases of a run as the forecast sees them (pre-training, then the enabled context-extension and
// post-training phases), and the scenario of one representative step: a phase's scenario at one batch
// size, with micro_batches = batch / (dp x micro_batch_size) rounded up to what the pipeline schedule
// can run. Rounding up is an upper bound on the step time (the replicas with fewer sequences wait for the
// fullest one, or the schedule needs more micro-batches than the batch gives); every such case is noted.
#pragma once

#include "sim/forecast/batch_ramp.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/forecast/batch_ramp.h"
#include "sim/parallel/parallel_spec.h"
#include "sim/scenario/scenario.h"

namespace deepsim {

struct PhaseDef {
  std::string key;                // "pre_training", "context_extension.stage1", "post_training.sft", ...
  std::string title;              // for reports: "pre-training", "context extension 1", ...
  std::vector<std::string> plan;  // the phase's own overrides
  int seq_len = 0;
  double batch_sequences = 0;     // global batch (pre-training: after the ramp)
  std::int64_t steps = 0;         // 0 for pre-training (the ramp decides)
  double tokens = 0;
};

// Pre-training first, then the enabled phases in schema order. Throws InputError for a phase with both
// steps and tokens.
[[nodiscard]] std::vector<PhaseDef> run_phases(const Scenario& s);

// "a=1; b=2" -> {"a=1", "b=2"}; empty items dropped.
[[nodiscard]] std::vector<std::string> split_plan(std::string_view plan);

// The parts of a plan that decide micro-batching, read after applying `plan` to the scenario.
struct PlanShape {
  int dp = 1, micro_batch_size = 1, pp = 1, virtual_stages = 1;
  ScheduleKind schedule = ScheduleKind::k1F1B;
};
[[nodiscard]] PlanShape plan_shape(const Scenario& base, std::span<const std::string> plan);

// The smallest micro-batch count >= wanted that the schedule can run; `reason` gets the schedule's
// complaint about `wanted` when it had to go higher.
[[nodiscard]] int schedulable_micro_batches(const PlanShape& shape, int wanted, std::string* reason);

struct StepScenario {
  Scenario scenario;           // the step as simulated
  double counted_sequences = 0;  // sequences the step trains on (tokens are counted from these)
  int micro_batches = 0;       // per pipeline, as simulated
  std::string note;            // why micro_batches exceeds batch / (dp x micro_batch_size), if it does
};

// The steps of a phase by batch size: pre-training's batch-ramp levels and its full batch; a later phase
// is one block at its own batch.
[[nodiscard]] std::vector<BatchBlock> phase_batches(const Scenario& s, const PhaseDef& def);

// The step's scenario by printing `base` and loading it with `plan` and the step's keys as overrides:
// what step_scenario gives (it takes a shortcut without a plan); the reference its test compares to.
[[nodiscard]] Scenario step_scenario_by_loading(const Scenario& base, std::span<const std::string> plan, int seq_len,
                                                std::int64_t global_batch, int micro_batches);

// Throws InputError naming `phase_key` + ".plan" when the phase's plan does not load.
[[nodiscard]] StepScenario step_scenario(const Scenario& base, std::span<const std::string> plan,
                                         double batch_sequences, int seq_len, std::string_view phase_key);

}  // namespace deepsim
