#include "sim/plan/plan_report.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/core/format.h"
#include "sim/report/csv_tables.h"
#include "sim/report/svg.h"
#include "sim/report/write_reports.h"
#include "sim/scenario/scalar_codec.h"

namespace deepsim {
namespace {

std::string money(double usd) {
  if (usd >= 1e6) return "$" + fixed(usd / 1e6, 2) + "M";
  if (usd >= 1e3) return "$" + fixed(usd / 1e3, 1) + "k";
  return "$" + fixed(usd, 0);
}

std::string row_text(const PlanEvaluation& p) {
  char line[400];
  std::snprintf(line, sizeof line, "  %-10s %-10s %-12s %9s %8s %8s %6s  %s%s", format_seconds(p.run_s).c_str(),
                money(p.cost_usd).c_str(), format_time(p.step).c_str(),
                format_time(p.bubble).c_str(), format_time(p.exposed_comm).c_str(),
                (fixed(100 * p.memory_headroom(), 0) + "%").c_str(), std::to_string(p.gpus).c_str(),
                p.description.c_str(), p.pareto ? "  [Pareto]" : "");
  return line;
}

void print_list(std::ostream& out, const PlanSearch& r, const std::vector<std::size_t>& list, std::size_t top) {
  out << "  run time   cost       step         bubble  exposed  headroom GPUs  plan\n";
  for (std::size_t k = 0; k < std::min(top, list.size()); ++k) out << row_text(r.plans[list[k]]) << "\n";
}

}  // namespace

void print_plan_summary(std::ostream& out, const PlanSearch& r, std::size_t top) {
  out << "plan search for " << r.scenario << ": " << r.plans.size() << " distinct plans (" << r.space_size
      << " in the space): " << r.pruned_placement << " pruned by placement rules, " << r.pruned_memory
      << " by memory, " << r.pruned_bound << " by lower bounds; " << r.simulated << " simulated, " << r.failed
      << " failed\n\nfastest (steady-state run time, the step at the full global batch):\n";
  print_list(out, r, r.by_time, top);
  out << "\ncheapest:\n";
  print_list(out, r, r.by_cost, top);
  out << "\nPareto front (no other plan is both faster and cheaper):\n";
  print_list(out, r, r.pareto, r.pareto.size());
  out << "\nwhy:\n";
  for (const auto& w : r.why) out << "  - " << w << "\n";
}

std::string plans_csv(const PlanSearch& r) {
  std::ostringstream o;
  o << "index";
  for (const auto& d : r.dimensions) o << ',' << d;
  o << ",status,gpus,dp,micro_batches,peak_memory_bytes,hbm_bytes,step_lower_bound_s,step_s,bubble_s,exposed_comm_s,"
       "compute_busy_s,run_s,gpu_hours,cost_usd,mfu_bf16,pareto,reason\n";
  for (const auto& p : r.plans) {
    o << p.index;
    for (int v : p.plan) o << ',' << v;
    const bool sim = p.status == PlanStatus::kSimulated;
    const bool placed = p.status != PlanStatus::kPrunedPlacement;
    o << ',' << to_string(p.status) << ',' << (placed ? std::to_string(p.gpus) : "") << ','
      << (placed ? std::to_string(p.dp) : "") << ',' << (placed ? std::to_string(p.micro_batches) : "") << ','
      << (placed ? shortest(p.peak_memory.value()) : "") << ',' << (placed ? shortest(p.hbm.value()) : "") << ','
      << (placed ? shortest(p.step_lower_bound.seconds()) : "") << ',';
    if (sim)
      o << shortest(p.step.seconds()) << ',' << shortest(p.bubble.seconds()) << ',' << shortest(p.exposed_comm.seconds())
        << ',' << shortest(p.compute_busy.seconds()) << ',' << shortest(p.run_s) << ',' << shortest(p.gpu_hours) << ','
        << shortest(p.cost_usd) << ',' << shortest(p.mfu_bf16) << ',' << (p.pareto ? "yes" : "no");
    else
      o << ",,,,,,,,";
    o << ',' << csv_field(p.reason) << '\n';
  }
  return o.str();
}

namespace {

nlohmann::ordered_json plan_json(const PlanSearch& r, const PlanEvaluation& p) {
  nlohmann::ordered_json j;
  j["index"] = p.index;
  j["plan"] = p.description;
  nlohmann::ordered_json values;
  for (std::size_t k = 0; k < r.dimensions.size(); ++k) values[r.dimensions[k]] = p.plan[k];
  j["values"] = values;
  j["gpus"] = p.gpus;
  j["dp"] = p.dp;
  j["micro_batches"] = p.micro_batches;
  j["step_s"] = p.step.seconds();
  j["bubble_s"] = p.bubble.seconds();
  j["exposed_comm_s"] = p.exposed_comm.seconds();
  j["compute_busy_s"] = p.compute_busy.seconds();
  j["run_s"] = p.run_s;
  j["gpu_hours"] = p.gpu_hours;
  j["cost_usd"] = p.cost_usd;
  j["mfu_bf16"] = p.mfu_bf16;
  j["peak_memory_bytes"] = p.peak_memory.value();
  j["memory_headroom"] = p.memory_headroom();
  j["pareto"] = p.pareto;
  return j;
}

}  // namespace

std::string plans_json(const PlanSearch& r) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["dimensions"] = r.dimensions;
  j["space_size"] = r.space_size;
  j["distinct_plans"] = r.plans.size();
  j["pruned"] = {{"placement", r.pruned_placement}, {"memory", r.pruned_memory}, {"bound", r.pruned_bound}};
  j["simulated"] = r.simulated;
  j["failed"] = r.failed;
  auto list = [&](const std::vector<std::size_t>& v) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (std::size_t i : v) a.push_back(plan_json(r, r.plans[i]));
    return a;
  };
  j["by_time"] = list(r.by_time);
  j["by_cost"] = list(r.by_cost);
  j["pareto"] = list(r.pareto);
  j["why"] = r.why;
  return j.dump(2) + "\n";
}

namespace {

// Cost against run time of every simulated plan; the Pareto front in red.
std::string scatter(const PlanSearch& r) {
  const double w = 640, h = 360, left = 70, bottom = 40, top = 20, right = 20;
  double tmin = 1e300, tmax = 0, cmin = 1e300, cmax = 0;
  for (std::size_t i : r.by_time) {
    const PlanEvaluation& p = r.plans[i];
    tmin = std::min(tmin, p.run_s), tmax = std::max(tmax, p.run_s);
    cmin = std::min(cmin, p.cost_usd), cmax = std::max(cmax, p.cost_usd);
  }
  if (tmax <= tmin) tmax = tmin * 1.01 + 1;
  if (cmax <= cmin) cmax = cmin * 1.01 + 1;
  Svg svg(w, h);
  const auto x = [&](double t) { return left + (t - tmin) / (tmax - tmin) * (w - left - right); };
  const auto y = [&](double c) { return h - bottom - (c - cmin) / (cmax - cmin) * (h - bottom - top); };
  svg.line(left, h - bottom, w - right, h - bottom, "#444");
  svg.line(left, top, left, h - bottom, "#444");
  svg.text(w / 2, h - 8, "run time (days): " + fixed(tmin / 86400, 1) + " .. " + fixed(tmax / 86400, 1), 12, "middle");
  svg.text(4, top + 10, money(cmax), 11);
  svg.text(4, h - bottom, money(cmin), 11);
  for (std::size_t i : r.by_time) {
    const PlanEvaluation& p = r.plans[i];
    svg.rect(x(p.run_s) - 2.5, y(p.cost_usd) - 2.5, 5, 5, p.pareto ? "#d62728" : "#1f77b4",
             p.description + ": " + format_seconds(p.run_s) + ", " + money(p.cost_usd));
  }
  return svg.str();
}

void html_table(std::ostringstream& o, const PlanSearch& r, const std::vector<std::size_t>& list, std::size_t top) {
  o << "<table><tr><th>plan</th><th>GPUs</th><th>run time</th><th>cost</th><th>step</th><th>bubble</th>"
       "<th>exposed comm</th><th>MFU (BF16)</th><th>HBM headroom</th></tr>\n";
  for (std::size_t k = 0; k < std::min(top, list.size()); ++k) {
    const PlanEvaluation& p = r.plans[list[k]];
    o << "<tr" << (p.pareto ? " class=\"pareto\"" : "") << "><td>" << xml_escape(p.description) << "</td><td>" << p.gpus
      << "</td><td>" << format_seconds(p.run_s) << "</td><td>" << money(p.cost_usd) << "</td><td>"
      << format_time(p.step) << "</td><td>" << format_time(p.bubble) << "</td><td>" << format_time(p.exposed_comm)
      << "</td><td>" << fixed(100 * p.mfu_bf16, 1) << "%</td><td>" << fixed(100 * p.memory_headroom(), 0)
      << "%</td></tr>\n";
  }
  o << "</table>\n";
}

}  // namespace

std::string plans_html(const PlanSearch& r, std::size_t top) {
  std::ostringstream o;
  o << "<!doctype html><html><head><meta charset=\"utf-8\"><title>deepsim plan: " << xml_escape(r.scenario)
    << "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid "
       "#ccc;padding:2px 6px;text-align:right}td:first-child{text-align:left}tr.pareto{background:#fde}</style></head>"
       "<body>\n<h1>deepsim plan: "
    << xml_escape(r.scenario) << "</h1>\n<p>" << r.plans.size() << " distinct plans: " << r.pruned_placement
    << " pruned by placement rules, " << r.pruned_memory << " by memory, " << r.pruned_bound << " by lower bounds; "
    << r.simulated << " simulated, " << r.failed << " failed. Run time and cost are steady state (the step at the "
       "full global batch); the Pareto front is highlighted.</p>\n<h2>Why</h2><ul>\n";
  for (const auto& w : r.why) o << "<li>" << xml_escape(w) << "</li>\n";
  o << "</ul>\n<h2>Cost against run time</h2>\n" << scatter(r) << "\n<h2>Pareto front</h2>\n";
  html_table(o, r, r.pareto, r.pareto.size());
  o << "<h2>Fastest</h2>\n";
  html_table(o, r, r.by_time, top);
  o << "<h2>Cheapest</h2>\n";
  html_table(o, r, r.by_cost, top);
  o << "</body></html>\n";
  return o.str();
}

void write_plan_reports(const std::filesystem::path& dir, const PlanSearch& r, std::size_t top) {
  std::filesystem::create_directories(dir);
  write_text_file(dir / "plans.csv", plans_csv(r));
  write_text_file(dir / "plans.json", plans_json(r));
  write_text_file(dir / "plans.html", plans_html(r, top));
}

}  // namespace deepsim
