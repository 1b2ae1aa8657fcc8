#include "sim/api/run.h"

#include "sim/cost/network_inventory.h"
#include "sim/scenario/loader.h"
#include "sim/step/routing_sample_cache.h"
#include "sim/step/step_key.h"

#ifndef DEEPSIM_VERSION
#error "DEEPSIM_VERSION is set by sim/CMakeLists.txt"
#endif

namespace deepsim::api {

const char* version() { return DEEPSIM_VERSION; }

namespace {

// The configured step, with its link use over time for trace.json when `rec` asks for it.
StepSimulation run_step_with(const Scenario& s, const RunControl& control, StepOptions options, RunRecording rec) {
  control.report("simulating the step", 0, 1);
  options.record_link_use = rec.link_use;
  StepSimulation step = simulate_step_full(s, options);
  control.report("step simulated", 1, 1);
  return step;
}

}  // namespace

StepSimulation run_step(const Scenario& s, const RunControl& control, RunRecording rec) {
  RoutingSampleCache routing;
  StepOptions options;
  options.routing_cache = &routing;
  return run_step_with(s, control, options, rec);
}

RunOutput run_forecast(const Scenario& s, const RunControl& control, RunRecording rec) {
  // One routing-sample cache for the run: the imbalance study and the forecast's ramp levels differ from
  // the configured step only in what the samples do not depend on (docs/performance.md).
  RoutingSampleCache routing;
  StepOptions options;
  options.routing_cache = &routing;
  RunOutput r{s, {}, run_step_with(s, control, options, rec), {}, {}};
  r.analysis = r.step.analysis;  // the step simulation computed it already
  if (moe_routing_configured(s)) {
    control.report("expert imbalance study", 1, 0);
    r.imbalance = imbalance_study(s, s.moe, s.moe_warmup_steps, &routing);
  }
  const StepResult configured = r.step.result;
  // The forecast asks for each distinct (batch, length, plan); the configured one is already simulated.
  // Steps are compared by their structural key (the resolved fields the step reads), not by YAML text.
  const StepKey configured_key(s);
  int simulated = 1;
  const StepFn step = [&](const Scenario& sc) {
    if (StepKey(sc) == configured_key) return configured;
    control.report("forecast: simulating step " + std::to_string(simulated + 1), simulated, 0);
    StepResult result = simulate_step(sc, options);
    ++simulated;
    return result;
  };
  control.report("forecasting the run", simulated, 0);
  r.report = make_run_report(s, step, [](const ClusterSpec& c) { return network_inventory(c); }, version());
  control.report("done", simulated, simulated);
  return r;
}

}  // namespace deepsim::api
