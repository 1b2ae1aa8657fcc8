#include "gui/models/sweep_model.h"

#include <algorithm>
#include <limits>

#include "gui/models/display.h"

namespace deepsim::gui {
namespace {

std::optional<double> number_of(const std::string& text) {
  bool ok = false;
  const double v = QString::fromStdString(text).toDouble(&ok);
  return ok ? std::optional<double>(v) : std::nullopt;
}

}  // namespace

QString to_string(SweepMetric m) {
  switch (m) {
    case SweepMetric::kGpuHours: return "GPU-hours";
    case SweepMetric::kCostUsd: return "Cost $";
    case SweepMetric::kStepTime: return "Step time (s)";
    case SweepMetric::kDays: return "Days";
    case SweepMetric::kMfu: return "MFU (BF16, %)";
  }
  return {};
}

double metric_value(const api::Headline& h, SweepMetric m) {
  switch (m) {
    case SweepMetric::kGpuHours: return h.gpu_hours;
    case SweepMetric::kCostUsd: return h.cost_basis == "ownership" ? h.ownership_usd : h.rental_usd;
    case SweepMetric::kStepTime: return h.step_s;
    case SweepMetric::kDays: return h.days;
    case SweepMetric::kMfu: return 100 * h.mfu_bf16_causal;
  }
  return 0;
}

QString metric_text(const api::Headline& h, SweepMetric m) {
  switch (m) {
    case SweepMetric::kGpuHours: return gpu_hours_text(h.gpu_hours);
    case SweepMetric::kCostUsd: return usd_text(metric_value(h, m));
    case SweepMetric::kStepTime: return seconds_text(h.step_s);
    case SweepMetric::kDays: return days_text(h.days);
    case SweepMetric::kMfu: return percent_text(h.mfu_bf16_causal);
  }
  return {};
}

SweepModel::SweepModel(QObject* parent) : RowsModel<api::SweepPoint>({}, parent) {
  set_alert([](const api::SweepPoint& p) { return !p.feasible(); });
}

void SweepModel::start(const api::SweepSpec& spec) {
  spec_ = spec;
  using P = api::SweepPoint;
  std::vector<Column<P>> cols;
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    const std::string key = spec.axes[a].key;
    cols.push_back({QString::fromStdString(key),
                    [this, a](const P& p) { return QString::fromStdString(spec_.axes[a].values[p.position[a]]); },
                    [this, a](const P& p) { return axis_x(a, p.position[a]); }});
  }
  for (SweepMetric m : {SweepMetric::kGpuHours, SweepMetric::kCostUsd, SweepMetric::kDays, SweepMetric::kStepTime,
                        SweepMetric::kMfu})
    cols.push_back({to_string(m), [m](const P& p) { return p.ran() ? metric_text(*p.headline, m) : QString("-"); },
                    [m](const P& p) { return p.ran() ? metric_value(*p.headline, m) : 0.0; }});
  cols.push_back({"Status",
                  [](const P& p) {
                    if (!p.ran()) return "infeasible: " + QString::fromStdString(p.error);
                    return p.headline->memory_fits ? QString("ok") : QString("infeasible: memory over HBM");
                  },
                  {}});
  set_columns(std::move(cols));
}

// In the sweep's point order, not the order the worker threads finish them.
void SweepModel::add_point(const api::SweepPoint& p) {
  insert_sorted(p, [](const auto& a, const auto& b) { return a.index < b.index; });
}

const api::SweepPoint* SweepModel::point_at(std::size_t i, std::size_t j) const {
  for (const auto& p : rows())
    if (!p.position.empty() && p.position[0] == i && (p.position.size() < 2 || p.position[1] == j)) return &p;
  return nullptr;
}

bool SweepModel::axis_numeric(std::size_t axis) const {
  const auto& values = spec_.axes.at(axis).values;
  return std::all_of(values.begin(), values.end(), [](const std::string& v) { return number_of(v).has_value(); });
}

double SweepModel::axis_x(std::size_t axis, std::size_t position) const {
  if (axis_numeric(axis)) return *number_of(spec_.axes.at(axis).values.at(position));
  return static_cast<double>(position);
}

std::optional<double> SweepModel::relative(const api::SweepPoint& p, SweepMetric m) const {
  if (!p.feasible()) return std::nullopt;
  double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
  for (const auto& q : rows()) {
    if (!q.feasible()) continue;
    lo = std::min(lo, metric_value(*q.headline, m));
    hi = std::max(hi, metric_value(*q.headline, m));
  }
  return hi > lo ? (metric_value(*p.headline, m) - lo) / (hi - lo) : 0.0;
}

int SweepModel::feasible_count() const {
  return static_cast<int>(std::count_if(rows().begin(), rows().end(), [](const auto& p) { return p.feasible(); }));
}

}  // namespace deepsim::gui
