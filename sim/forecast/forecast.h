// Whole-run forecast (docs/forecast.md): a training run as phases (pre-training with its batch ramp,
// context extension, post-training), each a sequence of blocks of equal steps. Every distinct (batch,
// sequence length, plan) is simulated once by the step function and reused; a phase's failure-free
// compute time is the sum over its blocks of steps x step time, and its GPU-hours that time x its GPUs.
// Failures and checkpoints (failure_model.h) then stretch each phase's wall time.
// The step simulator is a parameter, so tests inject synthetic step results and the CLI the real one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/forecast/failure_model.h"
#include "sim/hw/cluster_spec.h"
#include "sim/scenario/scenario.h"
#include "sim/step/step_result.h"

namespace deepsim {

using StepFn = std::function<StepResult(const Scenario&)>;

// One representative step, simulated once.
struct SimulatedStep {
  std::string phase;          // the first phase that uses it
  double simulated_sequences = 0;  // micro_batches x dp x micro_batch_size
  int seq_len = 0;
  int micro_batches = 0;      // per pipeline
  int gpus = 0;
  StepResult result;
};

// Consecutive steps with the same batch, sequence length and plan.
struct StepBlock {
  int level = -1;             // batch-ramp interval; -1 outside the ramp
  double batch_sequences = 0; // sequences trained per step (tokens are counted from these)
  int seq_len = 0;
  std::int64_t steps = 0;
  double tokens = 0;
  std::size_t step = 0;       // index into Forecast::steps
  Time step_time;
  double compute_s = 0;       // steps x step time
  double gpu_hours = 0;       // compute_s x GPUs / 3600
};

// Throughput figures over a span of training. TFLOPS and MFU use failure-free compute time (the
// step-level figure DeepSeek and others quote); tokens per second uses wall time, failures included.
struct Throughput {
  double model_flops_causal = 0;      // tokens x training FLOPs per token (MTP included), causal attention
  double model_flops_non_causal = 0;  // the same with every key attended
  double tokens_per_s = 0;
  double tflops_per_gpu_causal = 0;
  double tflops_per_gpu_non_causal = 0;
  double mfu_bf16_causal = 0, mfu_bf16_non_causal = 0;  // against the dense BF16 peak
  double mfu_fp8_causal = 0, mfu_fp8_non_causal = 0;    // against the dense FP8 peak
};

struct PhaseForecast {
  std::string key;            // "pre_training", "context_extension.stage1", ...
  std::string title;
  std::vector<std::string> plan;
  ClusterSpec cluster;        // the cluster the phase runs on (its plan may change it)
  int gpus = 0, nodes = 0;
  std::vector<StepBlock> blocks;
  std::int64_t steps = 0;
  double tokens = 0;
  double compute_s = 0;       // failure-free
  double compute_gpu_hours = 0;
  // Failures and checkpoints.
  double checkpoint_interval_h = 0, young_interval_h = 0, daly_interval_h = 0;
  FailureOutcome failures;
  double goodput_at_young = 1, goodput_at_daly = 1;
  double wall_s = 0;          // failures and checkpoints included
  double gpu_hours = 0;       // wall x GPUs
  Throughput throughput;
};

struct Forecast {
  std::vector<SimulatedStep> steps;
  std::vector<PhaseForecast> phases;
  std::int64_t total_steps = 0;
  double tokens = 0;
  double compute_gpu_hours = 0;  // failure-free: sum over steps of step time x GPUs
  double gpu_hours = 0;          // with failures and checkpoints
  double wall_s = 0;             // phases run one after another
  [[nodiscard]] double days() const { return wall_s / 86400.0; }
  Throughput throughput;
  int ramp_levels = 0;
  double ramp_steps_continuous = 0;  // the continuous ramp's step count, for comparison
  std::int64_t ramp_steps = 0;       // steps of the discretised ramp
  std::vector<std::string> notes;    // modelling choices that affect this forecast
};

// Throws InputError for phases that cannot be set up or runs that cannot finish.
[[nodiscard]] Forecast forecast_run(const Scenario& s, const StepFn& step);

}  // namespace deepsim
