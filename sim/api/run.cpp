#include "sim/api/run.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "sim/api/point_pool.h"
#include "sim/cost/network_inventory.h"
#include "sim/forecast/forecast.h"
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
  // The steps are independent and each deterministic, so the ones the forecast will ask for are simulated
  // first, on every core (representative fidelity; a full-fidelity step is large enough to keep alone):
  // a dry run of the forecast, whose requests depend on the phases and not on the step times, lists them.
  // A step it did not list is simulated when asked, so the output never depends on the list.
  std::vector<std::pair<StepKey, Scenario>> wanted;
  (void)forecast_run(s, [&](const Scenario& sc) {
    const StepKey k(sc);
    if (!(k == configured_key) &&
        std::none_of(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first == k; }))
      wanted.emplace_back(k, sc);
    return configured;
  });
  const unsigned threads = s.simulation.fidelity == "full" ? 1U : pool_threads(wanted.size(), control.threads);
  std::vector<std::optional<StepResult>> ahead(wanted.size());
  if (threads > 1) {
    control.report("forecast: simulating " + std::to_string(wanted.size()) + " steps on " + std::to_string(threads) +
                       " threads",
                   1, 0);
    // A step that throws is left empty here and simulated again when asked, on this thread, so its error
    // surfaces as it would without the pool.
    ahead = run_points<std::optional<StepResult>>(
        wanted.size(), threads, control,
        [&](std::uint64_t i) -> std::optional<StepResult> {
          try {
            return simulate_step(wanted[i].second, options);
          } catch (const std::exception&) {
            return std::nullopt;
          }
        },
        {});
    control.check();  // run_points returns early, without the unfinished steps, when cancelled
    ahead.resize(wanted.size());
  }
  int simulated = 1;
  const StepFn step = [&](const Scenario& sc) {
    const StepKey k(sc);
    if (k == configured_key) return configured;
    for (std::size_t i = 0; i < wanted.size(); ++i)
      if (ahead[i] && wanted[i].first == k) return *ahead[i];
    control.report("forecast: simulating step " + std::to_string(simulated + 1), simulated, 0);
    StepResult result = simulate_step(sc, options);
    ++simulated;
    return result;
  };
  simulated += static_cast<int>(std::count_if(ahead.begin(), ahead.end(), [](const auto& a) { return a.has_value(); }));
  control.report("forecasting the run", simulated, 0);
  r.report = make_run_report(s, step, [](const ClusterSpec& c) { return network_inventory(c); }, version());
  control.report("done", simulated, simulated);
  return r;
}

}  // namespace deepsim::api
