#include "gui/models/chart_models.h"

#include <algorithm>

namespace deepsim::gui {
namespace {

constexpr double kHeadroom = 1.1;  // the tallest figure at 91% of the axis: its label stays inside
constexpr double kMsPerS = 1e3;
constexpr double kErrorMarginPoints = 5;  // percentage points above and below the error bars

}  // namespace

void ChartTable::set(QStringList row_labels, QStringList columns, std::vector<std::vector<double>> rows) {
  beginResetModel();
  row_labels_ = std::move(row_labels);
  columns_ = std::move(columns);
  rows_ = std::move(rows);
  rows_.resize(static_cast<std::size_t>(row_labels_.size()));
  endResetModel();
}

double ChartTable::value(int row, int column) const {
  if (row < 0 || row >= rowCount() || column < 0 || column >= columnCount()) return 0;
  const auto& r = rows_[static_cast<std::size_t>(row)];
  return static_cast<std::size_t>(column) < r.size() ? r[static_cast<std::size_t>(column)] : 0;
}

double ChartTable::axis_top(int first_column, int last_column) const {
  const int last = last_column < 0 ? columnCount() - 1 : std::min(last_column, columnCount() - 1);
  double top = 0;
  for (int r = 0; r < rowCount(); ++r)
    for (int c = std::max(0, first_column); c <= last; ++c) top = std::max(top, value(r, c));
  return top > 0 ? top * kHeadroom : 1;
}

int ChartTable::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(row_labels_.size()); }

int ChartTable::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(columns_.size()); }

QVariant ChartTable::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
  if (role != Qt::DisplayRole && role != kValueRole) return {};
  return value(index.row(), index.column());
}

QVariant ChartTable::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole || section < 0) return {};
  const QStringList& names = orientation == Qt::Horizontal ? columns_ : row_labels_;
  return section < names.size() ? QVariant(names[section]) : QVariant();
}

SweepCurveModel::SweepCurveModel(const SweepModel* sweep, QObject* parent)
    : QObject(parent), sweep_(sweep), feasible_(new ChartTable(this)), infeasible_(new ChartTable(this)) {
  connect(sweep, &QAbstractItemModel::rowsInserted, this, &SweepCurveModel::rebuild);
  connect(sweep, &QAbstractItemModel::modelReset, this, &SweepCurveModel::rebuild);
  rebuild();
}

void SweepCurveModel::set_metric(SweepMetric m) {
  metric_ = m;
  rebuild();
}

double SweepCurveModel::x_min() const { return sweep_->spec().axes.empty() ? 0 : sweep_->axis_x(0, 0); }

double SweepCurveModel::x_max() const {
  const auto& axes = sweep_->spec().axes;
  return axes.empty() ? 1 : sweep_->axis_x(0, axes[0].values.size() - 1);
}

void SweepCurveModel::rebuild() {
  QStringList ok_labels, bad_labels;
  std::vector<std::vector<double>> ok, bad;
  const auto& axes = sweep_->spec().axes;
  if (axes.size() == 1) {
    for (std::size_t i = 0; i < axes[0].values.size(); ++i) {
      const api::SweepPoint* p = sweep_->point_at(i);
      if (!p) continue;
      const QString label = QString::fromStdString(axes[0].values[i]);
      const double x = sweep_->axis_x(0, i);
      if (p->feasible()) {
        ok_labels << label;
        ok.push_back({x, metric_value(*p->headline, metric_)});
      } else {
        bad_labels << label;
        bad.push_back({x, 0});
      }
    }
  }
  feasible_->set(ok_labels, {"x", to_string(metric_)}, std::move(ok));
  infeasible_->set(bad_labels, {"x", "infeasible"}, std::move(bad));
}

QString to_string(PhaseMetric m) {
  switch (m) {
    case PhaseMetric::kGpuHours: return "GPU-hours";
    case PhaseMetric::kCostUsd: return "Cost $";
    case PhaseMetric::kDays: return "Wall-clock days";
  }
  return {};
}

namespace {
double phase_value(const api::PhaseRow& p, PhaseMetric m) {
  switch (m) {
    case PhaseMetric::kGpuHours: return p.gpu_hours;
    case PhaseMetric::kCostUsd: return p.usd;
    case PhaseMetric::kDays: return p.days;
  }
  return 0;
}
}  // namespace

PinnedPhasesModel::PinnedPhasesModel(const PinnedRunsModel* runs, QObject* parent) : ChartTable(parent), runs_(runs) {
  connect(runs, &QAbstractItemModel::columnsInserted, this, &PinnedPhasesModel::rebuild);
  connect(runs, &QAbstractItemModel::columnsRemoved, this, &PinnedPhasesModel::rebuild);
  connect(runs, &QAbstractItemModel::modelReset, this, &PinnedPhasesModel::rebuild);
  rebuild();
}

void PinnedPhasesModel::set_metric(PhaseMetric m) {
  metric_ = m;
  rebuild();
}

void PinnedPhasesModel::rebuild() {
  // Phases by key, in first-seen order over the runs: runs of other plans may list other phases.
  std::vector<std::string> keys;
  QStringList titles;
  for (int c = 0; c < runs_->runs(); ++c)
    for (const api::PhaseRow& p : runs_->phases(c))
      if (std::find(keys.begin(), keys.end(), p.key) == keys.end()) {
        keys.push_back(p.key);
        titles << QString::fromStdString(p.title);
      }
  QStringList columns;
  std::vector<std::vector<double>> rows(keys.size(), std::vector<double>(static_cast<std::size_t>(runs_->runs()), 0.0));
  for (int c = 0; c < runs_->runs(); ++c) {
    columns << runs_->headerData(c, Qt::Horizontal).toString();
    for (const api::PhaseRow& p : runs_->phases(c)) {
      const auto r = static_cast<std::size_t>(std::find(keys.begin(), keys.end(), p.key) - keys.begin());
      rows[r][static_cast<std::size_t>(c)] = phase_value(p, metric_);
    }
  }
  set(titles, columns, std::move(rows));
}

CompareChartModel::CompareChartModel(const CompareModel* compare, QObject* parent)
    : QObject(parent), compare_(compare), diagonal_(new ChartTable(this)), errors_(new ChartTable(this)) {
  for (auto& t : points_) t = new ChartTable(this);
  connect(compare, &QAbstractItemModel::rowsInserted, this, &CompareChartModel::rebuild);
  connect(compare, &QAbstractItemModel::modelReset, this, &CompareChartModel::rebuild);
  rebuild();
}

void CompareChartModel::rebuild() {
  std::array<QStringList, 3> labels;
  std::array<std::vector<std::vector<double>>, 3> xy;
  QStringList keys;
  std::vector<std::vector<double>> errors;
  double top = 0;
  error_low_ = error_high_ = 0;
  for (const CompareEntry& e : compare_->rows()) {
    if (!e.predicted_s) continue;
    const double m = e.measured_s * kMsPerS, p = *e.predicted_s * kMsPerS;
    const auto level = static_cast<std::size_t>(e.level == "step" ? CompareLevel::kStep
                                                : e.level == "phase" ? CompareLevel::kPhase
                                                                     : CompareLevel::kClass);
    labels[level] << QString::fromStdString(e.key);
    xy[level].push_back({m, p});
    top = std::max({top, m, p});
    const double err = 100 * e.error().value_or(0);
    keys << QString::fromStdString(e.key);
    errors.push_back({err});
    error_low_ = std::min(error_low_, err);
    error_high_ = std::max(error_high_, err);
  }
  edge_ = top > 0 ? top * kHeadroom : 1;
  error_low_ -= kErrorMarginPoints;
  error_high_ += kErrorMarginPoints;
  for (std::size_t l = 0; l < points_.size(); ++l) points_[l]->set(labels[l], {"measured (ms)", "predicted (ms)"}, std::move(xy[l]));
  diagonal_->set({"origin", "edge"}, {"x", "y"}, {{0, 0}, {edge_, edge_}});
  errors_->set(keys, {"error %"}, std::move(errors));
  emit rebuilt();
}

}  // namespace deepsim::gui
