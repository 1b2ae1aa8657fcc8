// RunReport: everything the reports of one scenario show, computed once: the scenario, its simulated
// step, the model's size and FLOPs, the whole-run forecast and its cost, the deepsim version and the
// resolved input's hash. The CLI's `run` and `batch` build one with make_run_report and hand it to
// write_reports (write_reports.h).
#pragma once

#include <string>

#include "sim/cost/cost_model.h"
#include "sim/forecast/forecast.h"
#include "sim/forecast/forecast_cost.h"
#include "sim/model/flops_per_token.h"
#include "sim/model/param_count.h"
#include "sim/scenario/scenario.h"
#include "sim/step/step_result.h"

namespace deepsim {

struct RunReport {
  Scenario scenario;
  std::string deepsim_version;
  std::string input_hash;          // input_hash(scenario, version)
  StepResult step;                 // the scenario's own step, as configured
  ParamCount params;
  FlopsPerToken flops_causal;      // at training.seq_len
  FlopsPerToken flops_non_causal;
  Forecast forecast;
  RunCost cost;
};

// Whether the plan fits in HBM: the largest per-rank peak against the GPU's capacity. A plan that does
// not fit is still simulated (its time is what it would take if it fit); results mark it, rankings skip it.
struct MemoryFit {
  bool fits = true;
  double peak_bytes = 0;          // largest per-rank peak
  double min_headroom_bytes = 0;  // HBM - peak of the fullest rank; negative when it does not fit
};
[[nodiscard]] MemoryFit memory_fit(const RunReport& r);

// Reuses the forecast's simulation of the configured step when it has one (same batch and length).
[[nodiscard]] RunReport make_run_report(const Scenario& s, const StepFn& step, const InventoryFn& inventory,
                                        std::string deepsim_version);

// A stable 64-bit FNV-1a hash of to_yaml(s), the version and the contents of the files the scenario reads
// (calibration profile, routing trace), as 16 hex digits: the identity of a result.
[[nodiscard]] std::string input_hash(const Scenario& s, std::string_view deepsim_version);

}  // namespace deepsim
