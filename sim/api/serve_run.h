// Serving for front ends: the serving study of one scenario (`deepsim serve`, sim/serve/serve_run.h) and a
// what-if over one serving parameter (decode EP, decode batch, MTP acceptance, GPU type, or any schema
// key), reduced to plain figures in display units, the way run.h and sweep_run.h serve training.
// Each point of a sweep is exactly `deepsim serve --set KEY=VALUE` on the base scenario (its overrides
// included); a point whose plan does not fit (weights leave no KV cache, the batch's KV exceeds it) or
// does not load keeps the reason and no figures. Progress and cancel: sim/api/run_control.h (one unit
// per study or sweep point; cancel takes effect between points).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/api/run_control.h"
#include "sim/api/scenario_doc.h"
#include "sim/scenario/scenario.h"
#include "sim/serve/serve_run.h"

namespace deepsim::api {

// The headline of a serving study, the figures result.json's `serve.*` carries, in display units.
struct ServeFigures {
  std::string scenario;
  std::string gpu;                       // catalog name of the cluster's GPU
  int prefill_ep = 0;
  int decode_ep = 0;
  int decode_batch_per_gpu = 0;          // as run (the chosen one when the scenario says 0)
  double accepted_per_step = 1;          // output tokens per request per decode step (MTP: 1 + acceptance)
  double decode_tokens_per_s_node = 0;   // serve.decode.output_tokens_per_s_node
  double tpot_ms = 0;                    // serve.decode.tpot_s x 1e3
  double ep_bound_tpot_ms = 0;           // the EP latency bound per output token (ISCA 2.3.2's arithmetic)
  double usd_per_m_output = 0;           // serve.sizing.usd_per_m_output (GPU time at full utilisation)
  double usd_per_m_input_miss = 0;
  double usd_per_m_input_hit = 0;
  double prefill_tokens_per_s_node = 0;  // input tokens, cache hits included
  double ttft_s = 0;
  int prefill_nodes = 0;                 // provisioned for the workload
  int decode_nodes = 0;
  double gpu_hours_per_day_load = 0;
  double usd_per_day_load = 0;
  double kv_capacity_gb = 0;             // per decode GPU
  double max_requests = 0;               // requests per GPU the KV cache holds at the mean KV length
  bool meets_tpot = true;
  bool meets_ttft = true;
};

struct ServeOutput {
  Scenario scenario;
  ServeResult result;  // everything `deepsim serve` reports (sim/serve/serve_run.h)
  ServeFigures figures;
};

[[nodiscard]] ServeFigures serve_figures(const Scenario& s, const ServeResult& r);
// The serving study of a loaded scenario. Throws InputError (no serving: section, a plan that does not
// fit or divide), Cancelled.
[[nodiscard]] ServeOutput run_serve(const Scenario& s, const RunControl& control = {});
// The same for a doc: its text with its overrides applied (the CLI's --set, the GUI's fields).
[[nodiscard]] ServeOutput run_serve(const ScenarioDoc& doc, const RunControl& control = {});

// The serving parameters a what-if sweeps most (any schema key works).
inline constexpr const char* kServeDecodeEp = "serving.decode.ep";
inline constexpr const char* kServeDecodeBatch = "serving.decode.batch_per_gpu";
inline constexpr const char* kServeMtpAcceptance = "serving.decode.mtp_acceptance";
inline constexpr const char* kServeGpu = "cluster.gpu";

struct ServeSweepSpec {
  ScenarioDoc base;
  std::string key;                  // "serving.decode.ep", ...
  std::vector<std::string> values;  // YAML scalars, in the order they are charted
  int threads = 0;                  // 0: every core
};

struct ServeSweepPoint {
  std::size_t index = 0;               // into spec.values
  std::string value;                   // "144"
  std::string label;                   // "serving.decode.ep=144"
  std::optional<ServeFigures> figures; // set when the study ran
  std::string error;                   // why not: the loader's or the serving model's message
  std::string error_key;               // the key it blames ("serving.decode.batch_per_gpu")
  [[nodiscard]] bool ran() const { return figures.has_value(); }
};

struct ServeSweepOutcome {
  std::vector<ServeSweepPoint> points;  // in value order; only the finished ones when cancelled
  bool cancelled = false;
};

// Throws InputError for an unknown key or no values, before anything runs.
void check_serve_sweep(const ServeSweepSpec& spec);
// Runs every point on a pool of threads; `on_point` (may be empty) is called from a worker thread as each
// point finishes, one at a time, in completion order. Each point runs without the base's what-if tables
// (serving.what_if=false): the sweep is the what-if.
[[nodiscard]] ServeSweepOutcome run_serve_sweep(const ServeSweepSpec& spec, const RunControl& control = {},
                                                const std::function<void(const ServeSweepPoint&)>& on_point = {});

}  // namespace deepsim::api
