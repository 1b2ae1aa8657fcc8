// Running one scenario: its step (the engine's task graph, timings and metrics) and the whole-run
// forecast with its cost. This is what `deepsim run` computes (sim/cli calls it) and what the GUI and the
// Python bindings show; the pieces are the sim library's (simulate_step_full, make_run_report).
#pragma once

#include <vector>

#include "sim/api/run_control.h"
#include "sim/report/run_report.h"
#include "sim/scenario/scenario.h"
#include "sim/step/imbalance_study.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"

namespace deepsim::api {

struct RunOutput {
  Scenario scenario;
  StaticAnalysis analysis;
  StepSimulation step;
  std::vector<ImbalanceRow> imbalance;  // when the scenario's moe: section configures a skew or EPLB
  RunReport report;                     // forecast, cost and what the report files show (sim/report)
};

// What a run records beyond its figures. `link_use`: the configured step's link use over time, for
// trace.json's utilisation counters (about a tenth of a default run's CPU); a caller that writes no trace
// (`deepsim run` without --out, sweep points) turns it off. The figures are the same either way.
struct RunRecording {
  bool link_use = true;
};

// The deepsim version that result hashes and reports carry.
[[nodiscard]] const char* version();

// One step of the scenario as configured. Throws InputError when the plan cannot be placed, Cancelled.
[[nodiscard]] StepSimulation run_step(const Scenario& s, const RunControl& control = {}, RunRecording rec = {});
// The step, the MoE imbalance study when configured, and the forecast of the whole run with its cost.
// Progress: one unit per simulated step (the forecast simulates each distinct batch / length once).
[[nodiscard]] RunOutput run_forecast(const Scenario& s, const RunControl& control = {}, RunRecording rec = {});

}  // namespace deepsim::api
