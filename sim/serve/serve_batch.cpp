#include "sim/serve/serve_batch.h"

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/report/run_report.h"
#include "sim/scenario/loader.h"
#include "sim/serve/serve_report.h"
#include "sim/serve/serving_checks.h"

namespace deepsim {
namespace {

// A figure of a row, by column name.
double num(const BatchRow& r, const char* column) { return r.figures.at(column).get<double>(); }
bool yes(const BatchRow& r, const char* column) { return r.figures.at(column).get<bool>(); }

std::string ms_text(double s) { return fixed(s * 1e3, 2) + " ms"; }
std::string usd_text(double v) { return "$" + fixed(v, v < 10 ? 3 : 0); }

std::vector<std::string> serve_cells(const BatchRow& r) {
  return {r.label,
          r.gpu,
          "prefill EP" + std::to_string(r.figures.at("prefill.ep").get<int>()) + ", decode EP" +
              std::to_string(r.figures.at("decode.ep").get<int>()) + " x " +
              std::to_string(r.figures.at("decode.batch_per_gpu").get<int>()),
          fixed(num(r, "prefill.ttft_s"), 3) + " s" + (yes(r, "prefill.meets_ttft") ? "" : " (misses SLO)"),
          ms_text(num(r, "decode.tpot_s")) + (yes(r, "decode.meets_tpot") ? "" : " (misses SLO)"),
          ms_text(num(r, "decode.ep_bound_tpot_s")),
          format_count(num(r, "prefill.input_tokens_per_s_node")),
          format_count(num(r, "decode.output_tokens_per_s_node")),
          fixed(num(r, "sizing.prefill_nodes_load"), 1) + " + " + fixed(num(r, "sizing.decode_nodes_load"), 1),
          usd_text(num(r, "sizing.cost_usd_per_day_load")),
          usd_text(num(r, "sizing.usd_per_m_input_miss")) + " / " + usd_text(num(r, "sizing.usd_per_m_input_hit")),
          usd_text(num(r, "sizing.usd_per_m_output"))};
}

}  // namespace

const std::vector<std::string>& serve_batch_columns() {
  static const std::vector<std::string> columns = {
      "name", "gpu", "prefill.ep", "decode.ep", "decode.batch_per_gpu", "decode.accepted_per_step",
      "prefill.input_tokens_per_s_node", "prefill.ttft_s", "prefill.meets_ttft", "decode.output_tokens_per_s_node",
      "decode.step_s", "decode.tpot_s", "decode.ep_bound_tpot_s", "decode.meets_tpot", "sizing.prefill_nodes_load",
      "sizing.decode_nodes_load", "sizing.prefill_nodes", "sizing.decode_nodes", "sizing.gpu_hours_per_day_load",
      "sizing.cost_usd_per_day_load", "sizing.gpu_hours_per_day", "sizing.cost_usd_per_day", "sizing.usd_per_m_input_miss",
      "sizing.usd_per_m_input_hit", "sizing.usd_per_m_output", "sizing.revenue_usd_per_day", "sizing.cost_profit_margin"};
  return columns;
}

void ServeBatchKind::check(const Scenario& s) const {
  require_serving_section(s);
  check_serving(s);
}

nlohmann::ordered_json ServeBatchKind::compute(const BatchPoint& p) const {
  const ServeReport report{.scenario = p.scenario, .result = run_serve(p.scenario), .deepsim_version = p.deepsim_version,
                           .input_hash = p.input_hash};
  if (p.reports) write_serve_report_set(report, p.dir);
  return serve_json(report);
}

BatchRow ServeBatchKind::row(const nlohmann::ordered_json& j) const {
  BatchRow r;
  r.ok = true;
  r.hash = j.at("input_hash").get<std::string>();
  r.name = j.at("scenario").at("name").get<std::string>();
  const nlohmann::ordered_json& serve = j.at("serve");  // throws for a training result.json
  r.gpu = serve.at("gpu").get<std::string>();
  r.figures["name"] = r.name;
  for (const std::string& c : serve_batch_columns()) {
    if (c == "name") continue;
    const nlohmann::ordered_json* v = &serve;
    for (std::size_t start = 0, dot = 0; dot != std::string::npos; start = dot + 1) {
      dot = c.find('.', start);
      v = &v->at(c.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    }
    r.figures[c] = *v;
  }
  return r;
}

std::string ServeBatchKind::csv_header() const { return figures_csv_header(serve_batch_columns()); }

std::string ServeBatchKind::csv_line(const BatchRow& row) const { return figures_csv_line(row, serve_batch_columns()); }

BatchSummaryLayout ServeBatchKind::summary_layout() const {
  BatchSummaryLayout l;
  l.header = {"scenario", "GPU", "plan (decode batch per GPU)", "TTFT", "TPOT", "EP bound", "input tok/s per node",
              "output tok/s per node", "nodes at load (prefill + decode)", "$/day at load", "$/1M input (miss / hit)",
              "$/1M output"};
  l.cells = serve_cells;
  l.cost = [](const BatchRow& r) { return num(r, "sizing.usd_per_m_output"); };
  l.time = [](const BatchRow& r) { return num(r, "decode.tpot_s"); };
  l.front_title = "Pareto front ($ per 1M output tokens against TPOT)";
  l.cost_title = "Cheapest ($ per 1M output tokens)";
  l.time_title = "Fastest (TPOT)";
  l.chart = false;
  return l;
}

void check_serve_batch(const BatchJobs& jobs) {
  for (const BatchJobs::KindSource& k : jobs.kind_sources()) {
    if (jobs.kind() != "serve") continue;
    if (!has_serving_section(load_scenario_file(k.base)))
      throw InputError(k.pos, "kind",
                       "kind: serve runs the serving study of each point, but the base scenario " + k.base +
                           " has no serving: section",
                       "base the sweep on a scenario with one (scenarios/serving/deepseek-v3-h800.yaml), or drop kind: serve");
  }
}

}  // namespace deepsim
