#include "sim/api/serve_run.h"

#include <algorithm>

#include "sim/api/point_pool.h"
#include "sim/core/error.h"
#include "sim/core/suggest.h"
#include "sim/scenario/schema.h"

namespace deepsim::api {
namespace {

constexpr double kMsPerS = 1e3;
constexpr double kBytesPerGb = 1e9;

ServeSweepPoint run_point(const ServeSweepSpec& spec, std::size_t i, const RunControl& control) {
  ServeSweepPoint p;
  p.index = i;
  p.value = spec.values[i];
  p.label = spec.key + "=" + p.value;
  ScenarioDoc doc = spec.base;
  doc.overrides.push_back(p.label);
  try {
    Scenario s = load(doc);
    // The sweep is the what-if: the study's own what-if tables would only cost time. Set on the loaded
    // scenario, not as an override, so a base without a serving: section is still refused as such.
    s.serving.what_if = false;
    p.figures = run_serve(s, RunControl{{}, control.cancel, 1}).figures;
  } catch (const Cancelled&) {
    throw;
  } catch (const InputError& e) {
    p.error = e.message();
    p.error_key = e.key();
  } catch (const std::exception& e) {
    p.error = e.what();
  }
  return p;
}

}  // namespace

ServeFigures serve_figures(const Scenario& s, const ServeResult& r) {
  const DecodeResult& d = r.decode;
  const Sizing& z = r.sizing;
  ServeFigures f;
  f.scenario = s.name;
  f.gpu = s.cluster.gpu.name;
  f.prefill_ep = s.serving.prefill.ep;
  f.decode_ep = d.ep;
  f.decode_batch_per_gpu = d.batch_per_gpu;
  f.accepted_per_step = d.accepted_per_step;
  f.decode_tokens_per_s_node = d.output_tokens_per_s_node;
  f.tpot_ms = d.tpot.seconds() * kMsPerS;
  f.ep_bound_tpot_ms = d.ep_bound_tpot.seconds() * kMsPerS;
  f.usd_per_m_output = z.usd_per_m_output;
  f.usd_per_m_input_miss = z.usd_per_m_input_miss;
  f.usd_per_m_input_hit = z.usd_per_m_input_hit;
  f.prefill_tokens_per_s_node = r.prefill.input_tokens_per_s_node;
  f.ttft_s = z.ttft.seconds();
  f.prefill_nodes = z.prefill_nodes;
  f.decode_nodes = z.decode_nodes;
  f.gpu_hours_per_day_load = z.gpu_hours_per_day_load;
  f.usd_per_day_load = z.usd_per_day_load;
  f.kv_capacity_gb = d.memory.kv_capacity.value() / kBytesPerGb;
  f.max_requests = d.memory.max_requests;
  f.meets_tpot = d.meets_tpot;
  f.meets_ttft = z.meets_ttft;
  return f;
}

ServeOutput run_serve(const Scenario& s, const RunControl& control) {
  control.report("serving study", 0, 1);
  ServeOutput out{s, deepsim::run_serve(s), {}};
  out.figures = serve_figures(out.scenario, out.result);
  control.report("done", 1, 1);
  return out;
}

ServeOutput run_serve(const ScenarioDoc& doc, const RunControl& control) { return run_serve(load(doc), control); }

void check_serve_sweep(const ServeSweepSpec& spec) {
  if (!find_field(spec.key)) {
    std::vector<std::string> keys;
    for (const Field& f : scenario_schema()) keys.emplace_back(f.path);
    throw InputError({"sweep", 0, 0}, spec.key, "unknown scenario key '" + spec.key + "'", suggestion_hint(spec.key, keys));
  }
  if (spec.values.empty()) throw InputError({"sweep", 0, 0}, spec.key, "no values to sweep", "give one value or more");
}

ServeSweepOutcome run_serve_sweep(const ServeSweepSpec& spec, const RunControl& control,
                                  const std::function<void(const ServeSweepPoint&)>& on_point) {
  check_serve_sweep(spec);
  const std::size_t n = spec.values.size();
  ServeSweepOutcome out;
  out.points = run_points<ServeSweepPoint>(n, pool_threads(n, spec.threads), control,
                                     [&](std::uint64_t i) { return run_point(spec, i, control); }, on_point);
  out.cancelled = control.cancel.cancelled();
  return out;
}

}  // namespace deepsim::api
