#include "sim/api/run.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "sim/api/point_pool.h"
#include "sim/cost/network_inventory.h"
#include "sim/forecast/forecast.h"
#include "sim/scenario/loader.h"
#include "sim/step/imbalance_study.h"
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
  // The forecast asks for each distinct (batch, length, plan); the configured one is simulated anyway.
  // Steps are compared by their structural key (the resolved fields the step reads), not by YAML text.
  const StepKey configured_key(s);
  // The steps are independent and each deterministic, so the configured step and the ones the forecast
  // will ask for are simulated together first, on every core. At full fidelity only the configured step
  // is full beside the others (the ramp levels are representative, forecast.cpp): a second full step at
  // once would double the memory, so those are simulated when asked, one at a time. A dry run of the
  // forecast lists them: its requests depend on the phases, not on the step times (it reads only
  // StepResult::step, here a placeholder). A step it did not list is simulated when asked, so the output
  // never depends on the list. If the dry run throws, nothing is listed: the configured step runs alone
  // first, so its error, if any, still comes before the forecast's.
  std::vector<std::pair<StepKey, Scenario>> wanted;
  const bool full = s.simulation.fidelity == "full";
  {
    StepResult placeholder;
    placeholder.step = Time::from_seconds(1.0);
    try {
      (void)forecast_run(s, [&](const Scenario& sc) {
        const StepKey k(sc);
        if (!(k == configured_key) && !(full && sc.simulation.fidelity == "full") &&
            std::none_of(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first == k; }))
          wanted.emplace_back(k, sc);
        return placeholder;
      });
    } catch (const Cancelled&) {
      throw;
    } catch (const std::exception&) {
      wanted.clear();
    }
  }
  // The expert imbalance study's variants are independent steps too (docs/moe.md); at full fidelity
  // they are full steps, so they stay out of the pool.
  const bool study = moe_routing_configured(s);
  const std::vector<ImbalanceVariant> all_variants =
      study ? imbalance_variants(s, s.moe, s.moe_warmup_steps) : std::vector<ImbalanceVariant>{};
  const std::span<const ImbalanceVariant> variants = full ? std::span<const ImbalanceVariant>{} : all_variants;
  const std::size_t points = 1 + variants.size() + wanted.size();
  const unsigned threads = pool_threads(points, control.threads);
  std::optional<StepSimulation> configured_sim;
  std::vector<ImbalanceRow> rows(all_variants.size());
  bool rows_done = false;
  std::vector<std::optional<StepResult>> ahead(wanted.size());
  if (threads > 1) {
    control.report("simulating the step, " +
                       (variants.empty() ? std::string() : std::to_string(variants.size()) + " imbalance variants and ") +
                       std::to_string(wanted.size()) + " forecast steps on " + std::to_string(threads) + " threads",
                   0, 1);
    // Point 0 is the configured step (with its link use for the trace), then the imbalance variants, then
    // the forecast's steps. The variants whose warm-up walks other router draws than the configured
    // step's (another bias setting) go first: the shared draws are computed once and waited for
    // (RouterMemo), so a thread that took a variant sharing the configured step's draws would mostly
    // wait. The order changes which thread computes what, never a result.
    std::vector<std::size_t> order(variants.size());
    for (std::size_t v = 0; v < order.size(); ++v) order[v] = v;
    const auto shares_draws = [&](std::size_t v) {
      return variants[v].warmup_steps > 0 && variants[v].spec.balancing == s.moe.balancing;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::pair(shares_draws(a), -variants[a].warmup_steps) < std::pair(shares_draws(b), -variants[b].warmup_steps);
    });
    // The configured step's and the variants' errors are rethrown after the pool, in the order a run
    // without it meets them. A forecast step that throws is left empty and simulated again when asked,
    // on this thread, so its error surfaces as it would without the pool.
    std::exception_ptr configured_error;
    std::vector<std::exception_ptr> variant_errors(variants.size());
    StepOptions configured_options = options;
    configured_options.record_link_use = rec.link_use;
    const auto capture = [](std::exception_ptr& error, const auto& f) {
      try {
        f();
      } catch (const Cancelled&) {
        throw;
      } catch (...) {
        error = std::current_exception();
      }
    };
    std::vector<std::optional<StepResult>> done = run_points<std::optional<StepResult>>(
        points, threads, control,
        [&](std::uint64_t i) -> std::optional<StepResult> {
          if (i == 0) {
            capture(configured_error, [&] { configured_sim = simulate_step_full(s, configured_options); });
            return std::nullopt;
          }
          if (i <= variants.size()) {
            const std::size_t v = order[i - 1];
            capture(variant_errors[v], [&] { rows[v] = imbalance_row(s, variants[v], &routing); });
            return std::nullopt;
          }
          try {
            return simulate_step(wanted[i - 1 - variants.size()].second, options);
          } catch (const std::exception&) {
            return std::nullopt;
          }
        },
        {});
    control.check();  // run_points returns early, without the unfinished steps, when cancelled
    if (configured_error) std::rethrow_exception(configured_error);
    for (const std::exception_ptr& e : variant_errors)
      if (e) std::rethrow_exception(e);
    rows_done = !variants.empty();
    const std::size_t first = 1 + variants.size();
    for (std::size_t w = 0; w < wanted.size() && first + w < done.size(); ++w) ahead[w] = std::move(done[first + w]);
    control.report("step simulated", 1, 1);
  }
  RunOutput r{s, {}, configured_sim ? std::move(*configured_sim) : run_step_with(s, control, options, rec), {}, {}};
  r.analysis = r.step.analysis;  // the step simulation computed it already
  if (study) {
    if (!rows_done) {
      control.report("expert imbalance study", 1, 0);
      for (std::size_t v = 0; v < all_variants.size(); ++v) rows[v] = imbalance_row(s, all_variants[v], &routing);
    }
    finish_imbalance(rows);
    r.imbalance = std::move(rows);
  }
  const StepResult configured = r.step.result;
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
