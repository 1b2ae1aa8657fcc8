// Predicted against measured: per kernel class (op family, communication, other), per phase (F, B, W,
// optimizer, communication, other) and for the step, for one or several measured runs. The prediction comes through a callback,
// so this library does not depend on the step simulator: `deepsim compare` supplies the simulated
// per-family totals, `deepsim-calibrate compare` the kernel model applied to each measured kernel.
//
// Measured figures are per timed step: the sum of kernel durations of a class over the non-warm-up
// steps, divided by their number (kernel time, not wall time: streams overlap); the step figure is the
// mean wall time of those steps. error = (predicted - measured) / measured; MAPE = mean |error| over the
// rows that have both figures. A kernel's phase: "communication" for the communication class (NCCL kernels,
// whatever F/B/W tag they carry), "optimizer" for ops "optimizer" and "optimizer.*", else its F/B/W tag, else
// "other".
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calibrate/src/measured_run.h"
#include "sim/perf/kernel_model.h"

namespace deepsim::calib {

struct PredictedRun {
  std::map<std::string, double> class_seconds;                        // per step, by kernel class
  std::map<std::string, double> phase_seconds;                        // per step, by phase (phase_key)
  std::optional<double> step_seconds;
  std::string model;                                                  // describe() of what predicted it
};
using Predictor = std::function<PredictedRun(const MeasuredRun&)>;

struct CompareRow {
  std::string key;
  double measured_s = 0;
  std::optional<double> predicted_s;
  [[nodiscard]] std::optional<double> error() const;  // (pred - meas) / meas
};

struct RunComparison {
  std::string file;
  std::string device;
  std::string model;
  int timed_steps = 0;
  std::vector<CompareRow> classes;
  std::vector<CompareRow> phases;
  CompareRow step;
  std::optional<double> class_mape;  // over the classes with a prediction
  std::optional<double> phase_mape;  // over the phases with a prediction
};

struct ComparisonSummary {
  std::vector<RunComparison> runs;
  std::map<std::string, double> class_mape;  // per class, across runs
  std::map<std::string, double> phase_mape;  // per phase, across runs
  std::optional<double> step_mape;           // across runs
};

// Phase key of a kernel: "F", "B", "W", "optimizer", "communication" or "other".
[[nodiscard]] std::string phase_key(const MeasuredKernel& k);
// Measured per-step figures of one run (classes and phases as CompareRows without predictions).
[[nodiscard]] RunComparison measured_figures(const MeasuredRun& run);
[[nodiscard]] RunComparison compare_run(const MeasuredRun& run, const PredictedRun& predicted);
[[nodiscard]] ComparisonSummary compare_runs(std::span<const MeasuredRun> runs, const Predictor& predict);

// A predictor that times each measured kernel with `model` (kernel-level validation). A class gets a
// prediction only if every kernel of it in the timed steps has a known shape; no step prediction.
[[nodiscard]] PredictedRun predict_with_kernel_model(const MeasuredRun& run, const KernelModel& model);

[[nodiscard]] std::string comparison_table(const ComparisonSummary& s);
[[nodiscard]] nlohmann::json comparison_json(const ComparisonSummary& s);

}  // namespace deepsim::calib
