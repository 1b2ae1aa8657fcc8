#include "sim/api/run.h"

#include "sim/cost/network_inventory.h"
#include "sim/scenario/loader.h"

#ifndef DEEPSIM_VERSION
#error "DEEPSIM_VERSION is set by sim/CMakeLists.txt"
#endif

namespace deepsim::api {

const char* version() { return DEEPSIM_VERSION; }

StepSimulation run_step(const Scenario& s, const RunControl& control) {
  control.report("simulating the step", 0, 1);
  StepSimulation step = simulate_step_full(s);
  control.report("step simulated", 1, 1);
  return step;
}

RunOutput run_forecast(const Scenario& s, const RunControl& control) {
  RunOutput r{s, {}, run_step(s, control), {}, {}};
  r.analysis = r.step.analysis;  // the step simulation computed it already
  if (moe_routing_configured(s)) {
    control.report("expert imbalance study", 1, 0);
    r.imbalance = imbalance_study(s, s.moe, s.moe_warmup_steps);
  }
  const StepResult configured = r.step.result;
  // The forecast asks for each distinct (batch, length, plan); the configured one is already simulated.
  // Scenarios are compared by their resolved form, the one identity the loader guarantees.
  const std::string configured_yaml = to_yaml(s);
  int simulated = 1;
  const StepFn step = [&](const Scenario& sc) {
    if (to_yaml(sc) == configured_yaml) return configured;
    control.report("forecast: simulating step " + std::to_string(simulated + 1), simulated, 0);
    StepResult result = simulate_step(sc);
    ++simulated;
    return result;
  };
  control.report("forecasting the run", simulated, 0);
  r.report = make_run_report(s, step, [](const ClusterSpec& c) { return network_inventory(c); }, version());
  control.report("done", simulated, simulated);
  return r;
}

}  // namespace deepsim::api
