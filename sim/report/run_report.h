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

// Reuses the forecast's simulation of the configured step when it has one (same batch and length).
[[nodiscard]] RunReport make_run_report(const Scenario& s, const StepFn& step, const InventoryFn& inventory,
                                        std::string deepsim_version);

// A stable 64-bit FNV-1a hash of to_yaml(s) and the version, as 16 hex digits: the identity of a result.
[[nodiscard]] std::string input_hash(const Scenario& s, std::string_view deepsim_version);

}  // namespace deepsim
