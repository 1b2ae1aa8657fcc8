// Scenario: one fully resolved input (schema v1, docs/scenario.md). Loading and validation live in
// loader.h; everything downstream takes a const Scenario&.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/error.h"

#include "sim/hw/cluster_spec.h"
#include "sim/moe/routing_spec.h"
#include "sim/model/model_spec.h"
#include "sim/model/recompute.h"
#include "sim/parallel/parallel_spec.h"
#include "sim/scenario/run_spec.h"  // later phases, failures, forecast, ownership prices, reference
#include "sim/scenario/serving_spec.h"  // `serving:` (sim/serve)

namespace deepsim {

class SourceMap;

struct BatchRamp {
  double start_sequences = 0;  // global batch at step 0, in sequences (0: no ramp)
  double ramp_tokens = 0;      // tokens over which the batch grows to TrainingSpec::global_batch

  bool operator==(const BatchRamp&) const = default;
};

struct TrainingSpec {
  double tokens = 0;           // tokens to train on
  int seq_len = 4096;          // tokens per sequence
  int global_batch = 0;        // sequences per step after the ramp
  BatchRamp ramp;
  std::string precision = "fp8";  // "fp8" (DeepSeek-V3 recipe) or "bf16"
  // What the backward recomputes: none, partial (DeepSeek-V3 TR 3.4), selective or full (Megatron).
  RecomputeMode recompute = RecomputeMode::kNone;

  bool operator==(const TrainingSpec&) const = default;
};

struct PricingSpec {
  double usd_per_gpu_hour = 2.0;

  bool operator==(const PricingSpec&) const = default;
};

struct CalibrationSpec {
  std::string profile;         // name or path of a calibration profile; empty: roofline default

  bool operator==(const CalibrationSpec&) const = default;
};

// How communication is timed (sim/engine/comm_model.h): closed forms, or flows on the max-min network.
enum class NetworkModel : std::uint8_t { kAnalytic, kFlow };
[[nodiscard]] const char* to_string(NetworkModel m);

struct SimulationSpec {
  std::string fidelity = "representative";  // "representative" (one pipeline) or "full" (every DP replica)
  NetworkModel network = NetworkModel::kAnalytic;  // `simulation.network`

  bool operator==(const SimulationSpec&) const = default;
};

struct Scenario {
  int schema = 1;
  std::string name;
  std::string source_file;     // where it was loaded from ("" for built-in)
  std::uint64_t seed = 1;
  ClusterSpec cluster;
  ModelSpec model;
  ParallelSpec parallel;
  TrainingSpec training;
  PricingSpec pricing;
  CalibrationSpec calibration;
  SimulationSpec simulation;
  OwnershipPrices ownership;          // the `pricing:` keys beyond usd_per_gpu_hour (run_spec.h)
  ContextExtensionSpec context_extension;
  PostTrainingSpec post_training;
  FailureSpec failures;
  ForecastSpec forecast;
  MoeRoutingSpec moe;                 // `moe:` expert loads and balancing (sim/moe)
  int moe_warmup_steps = 20;          // `moe.warmup_steps`
  ServingSpec serving;                // `serving:` workload and prefill/decode units (sim/serve)
  ReferenceSpec reference;            // `reference:` published or measured figures (run_spec.h)

  // Where each key came from (file:line:column, or the `--set` that set it), so that errors found after
  // loading (placement, profile, trace, phases, failures) point at the key to blame. Shared, immutable,
  // not part of the scenario's value: to_yaml and the input hash ignore it. Null when built in code.
  std::shared_ptr<const SourceMap> sources;
  // The key's position, falling back to its nearest present ancestor, then to {source_file, 0, 0}.
  [[nodiscard]] SourcePos pos_of(std::string_view key) const;

  // Field by field; `sources` compares by pointer, so a StepKey (sim/step/step_key.h) clears it.
  bool operator==(const Scenario&) const = default;
};

}  // namespace deepsim
