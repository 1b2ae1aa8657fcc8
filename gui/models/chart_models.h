// The small tables Qt Charts read through model mappers (QVXYModelMapper, QVBarModelMapper), and the
// ones the what-if view draws. Every charted number, axis top included, is computed here, so the views
// only bind a series to a table and lay it out (no arithmetic in widgets; tests/gui/chart_models_test.cpp).
#pragma once

#include <QAbstractTableModel>
#include <QStringList>
#include <array>
#include <vector>

#include "gui/models/compare_model.h"
#include "gui/models/pinned_runs_model.h"
#include "gui/models/sweep_model.h"

namespace deepsim::gui {

// A table of numbers: DisplayRole (what the mappers read) and kValueRole are the number; the vertical
// header names a row (a bar category), the horizontal header a column (a bar set, or x / y).
class ChartTable : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;
  // rows[r][c]; a row shorter than `columns` reads 0 past its end.
  void set(QStringList row_labels, QStringList columns, std::vector<std::vector<double>> rows);
  [[nodiscard]] const QStringList& row_labels() const { return row_labels_; }
  [[nodiscard]] double value(int row, int column) const;
  // The top of a value axis from zero showing every cell of columns [first, last] (last -1: to the end)
  // with 10% headroom; 1 when there is nothing above zero.
  [[nodiscard]] double axis_top(int first_column = 0, int last_column = -1) const;

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QStringList row_labels_, columns_;
  std::vector<std::vector<double>> rows_;
};

// Columns of an x-y table.
enum XYColumn { kChartX, kChartY };

// A one-key sweep as a curve: the feasible points (x, metric) in axis order, and the infeasible ones
// (x, 0): marked on the axis, since they have no figure. Follows the sweep model as points arrive.
class SweepCurveModel : public QObject {
  Q_OBJECT
 public:
  explicit SweepCurveModel(const SweepModel* sweep, QObject* parent = nullptr);
  void set_metric(SweepMetric m);
  [[nodiscard]] SweepMetric metric() const { return metric_; }
  [[nodiscard]] ChartTable* feasible() const { return feasible_; }
  [[nodiscard]] ChartTable* infeasible() const { return infeasible_; }
  // The x range of the axis: its first and last value (numeric axes) or positions (categories).
  [[nodiscard]] double x_min() const;
  [[nodiscard]] double x_max() const;

 private:
  void rebuild();
  const SweepModel* sweep_;
  SweepMetric metric_ = SweepMetric::kGpuHours;
  ChartTable* feasible_;
  ChartTable* infeasible_;
};

// Pinned runs overlaid by phase: one row per training phase (in the order the runs list them, every
// run's phases), one column per pinned run (a bar set each), the phase's GPU-hours, cost or wall-clock days in that run
// (0 where a run has no such phase). One pinned run still draws one bar per phase.
enum class PhaseMetric { kGpuHours, kCostUsd, kDays };
[[nodiscard]] QString to_string(PhaseMetric m);

class PinnedPhasesModel : public ChartTable {
  Q_OBJECT
 public:
  explicit PinnedPhasesModel(const PinnedRunsModel* runs, QObject* parent = nullptr);
  void set_metric(PhaseMetric m);
  [[nodiscard]] PhaseMetric metric() const { return metric_; }

 private:
  void rebuild();
  const PinnedRunsModel* runs_;
  PhaseMetric metric_ = PhaseMetric::kGpuHours;
};

// Predicted against measured as charts: per level (kernel class, phase, step) an x-y table of the rows
// that have a prediction (x measured ms, y predicted ms), the y = x diagonal across all of them, and each
// such row's error in percent (rows named by the entry's key, one column). Follows the compare model.
enum class CompareLevel { kClass, kPhase, kStep };

class CompareChartModel : public QObject {
  Q_OBJECT
 public:
  explicit CompareChartModel(const CompareModel* compare, QObject* parent = nullptr);
  [[nodiscard]] ChartTable* points(CompareLevel level) const { return points_.at(static_cast<std::size_t>(level)); }
  [[nodiscard]] ChartTable* diagonal() const { return diagonal_; }
  [[nodiscard]] ChartTable* errors() const { return errors_; }
  // Both axes of the scatter run from 0 to edge(); the error axis from error_low() to error_high().
  [[nodiscard]] double edge() const { return edge_; }
  [[nodiscard]] double error_low() const { return error_low_; }
  [[nodiscard]] double error_high() const { return error_high_; }

 signals:
  void rebuilt();  // after every table was refilled: the view's axes follow

 private:
  void rebuild();
  const CompareModel* compare_;
  std::array<ChartTable*, 3> points_{};
  ChartTable* diagonal_;
  ChartTable* errors_;
  double edge_ = 1, error_low_ = 0, error_high_ = 0;
};

}  // namespace deepsim::gui
