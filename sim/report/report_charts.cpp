#include "sim/report/report_charts.h"

#include <algorithm>

#include "sim/core/format.h"
#include "sim/report/bar_chart.h"
#include "sim/report/timeline_chart.h"

namespace deepsim {

// Per rank: where the step's wall time went. Compute categories are stacked first (the compute stream's
// busy time), then idle time with communication in flight (exposed comm), then idle time waiting on the
// pipeline (bubble); the rest of the idle time, if any, closes the bar at the step time.
std::string step_timeline_svg(const StepResult& step) {
  StackedChart c;
  c.title = "Where each rank's time went in the configured step (step " + format_time(step.step) + ")";
  c.axis_unit = "s";
  c.axis_title = "time";
  std::vector<std::size_t> compute;
  for (std::size_t k = 0; k < kStepCategoryCount; ++k)
    if (!is_communication(static_cast<StepCategory>(k))) {
      compute.push_back(k);
      c.series.push_back(to_string(static_cast<StepCategory>(k)));
    }
  const int exposed = static_cast<int>(c.series.size());
  c.series.insert(c.series.end(), {"exposed comm", "bubble", "other idle"});
  for (const RankResult& rr : step.ranks) {
    StackedRow row{"rank " + std::to_string(rr.rank), {}};
    double used = 0;
    for (std::size_t i = 0; i < compute.size(); ++i) {
      const double v = rr.by_category[compute[i]].seconds();
      row.segments.push_back({v, static_cast<int>(i)});
      used += v;
    }
    row.segments.push_back({rr.exposed_comm.seconds(), exposed});
    row.segments.push_back({rr.bubble.seconds(), exposed + 1});
    used += rr.exposed_comm.seconds() + rr.bubble.seconds();
    row.segments.push_back({std::max(0.0, step.step.seconds() - used), exposed + 2});
    c.rows.push_back(std::move(row));
  }
  return stacked_chart_svg(c);
}

std::string gpu_hours_svg(const Forecast& f) {
  std::vector<Bar> bars;
  for (const PhaseForecast& p : f.phases)
    bars.push_back({p.title, p.gpu_hours, format_count(p.gpu_hours) + " GPU-h"});
  return bar_chart_svg("GPU-hours by phase (failures and checkpoints included)", bars, "GPU-hours");
}

// Rental against ownership on one axis, ownership stacked by its parts (the parts add up to its total).
std::string cost_svg(const RunCost& c) {
  const OwnershipLines& o = c.ownership;
  StackedChart ch;
  ch.title = "Cost: rental vs ownership (basis of the headline cost: " + c.basis + ")";
  ch.axis_unit = "million USD";
  ch.axis_title = "cost";
  ch.series = {"rental", "GPUs", "servers", "network", "power"};
  ch.rows.push_back({"rental", {{c.rental_usd / 1e6, 0}}});
  ch.rows.push_back({"ownership", {{o.gpus_usd / 1e6, 1}, {o.servers_usd / 1e6, 2}, {o.network_usd() / 1e6, 3},
                                   {o.power_usd / 1e6, 4}}});
  return stacked_chart_svg(ch);
}

std::string memory_svg(const StepResult& step, double hbm_gb) {
  StackedChart c;
  c.title = "Peak memory per GPU by pipeline rank";
  c.axis_unit = "GB";
  c.axis_title = "memory per GPU";
  c.series = {"weights, gradients, optimizer", "activations"};
  c.marker = hbm_gb;
  c.marker_label = "HBM " + fixed(hbm_gb, 1) + " GB";
  for (const RankResult& rr : step.ranks) {
    const double act = rr.activation_peak.gb();
    c.rows.push_back({"rank " + std::to_string(rr.rank), {{rr.peak_memory.gb() - act, 0}, {act, 1}}});
  }
  return stacked_chart_svg(c);
}

std::string links_svg(const StepResult& step) {
  std::vector<Bar> bars;
  for (const LinkClassUse& l : step.links) {
    bars.push_back({std::string(to_string(l.cls)) + " mean", 100 * l.mean_utilisation,
                    fixed(100 * l.mean_utilisation, 1) + "%"});
    bars.push_back({std::string(to_string(l.cls)) + " max", 100 * l.max_utilisation,
                    fixed(100 * l.max_utilisation, 1) + "%"});
  }
  return bar_chart_svg("Link utilisation by class over the configured step", bars, "utilisation (%)");
}

std::vector<Chart> all_charts(const RunReport& r) {
  std::vector<Chart> charts;
  const std::string timeline = timeline_html(r.step);
  if (!timeline.empty()) charts.push_back({"Step timeline (per rank, in time order)", timeline});
  std::vector<Chart> rest = {{"Where each rank's time went", step_timeline_svg(r.step)},
          {"GPU-hours by phase", gpu_hours_svg(r.forecast)},
          {"Cost breakdown", cost_svg(r.cost)},
          {"Memory per stage", memory_svg(r.step, r.scenario.cluster.gpu.hbm.gb())},
          {"Link utilisation", links_svg(r.step)}};
  charts.insert(charts.end(), rest.begin(), rest.end());
  return charts;
}

}  // namespace deepsim
