// What-if: one or two scenario keys with lists of values, swept in the background on every core (the
// runner's thread drives sim/api's pool). One key draws the chosen metric as a curve, two keys as a
// heat map; infeasible points (memory over HBM, plans that do not load) are drawn as such. Any point, or
// the dashboard's run, can be pinned; pinned runs sit side by side with their differences, and a bar
// chart overlays their GPU-hours or cost per phase (one bar set per run). The charts are bound to the
// tables of gui/models/chart_models.h through Qt Charts' model mappers.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QWidget>

#include "gui/models/chart_models.h"
#include "gui/models/pinned_runs_model.h"
#include "gui/models/runner.h"
#include "gui/models/sweep_model.h"

class QChartView;
class QCheckBox;
class QStackedWidget;
class QTableView;
class QTabWidget;
class QLineSeries;
class QScatterSeries;
class QBarSeries;
class QBarCategoryAxis;
class QValueAxis;

namespace deepsim::gui {

class HeatMap : public QWidget {
  Q_OBJECT
 public:
  explicit HeatMap(const SweepModel* model, QWidget* parent = nullptr);
  void set_metric(SweepMetric m);

 protected:
  void paintEvent(QPaintEvent* e) override;

 private:
  const SweepModel* model_;
  SweepMetric metric_ = SweepMetric::kGpuHours;
};

class SweepView : public QWidget {
  Q_OBJECT
 public:
  explicit SweepView(QWidget* parent = nullptr);
  // The scenario the sweep varies (the editor's doc, overrides included).
  void set_base(const api::ScenarioDoc& doc) { base_ = doc; }
  void set_axes(const QString& key1, const QString& values1, const QString& key2 = {}, const QString& values2 = {});
  void pin(const QString& label, const api::Headline& h, std::vector<api::PhaseRow> phases = {}) { pinned_->pin(label, h, std::move(phases)); }
  [[nodiscard]] SweepModel* model() const { return model_; }
  [[nodiscard]] PinnedRunsModel* pinned() const { return pinned_; }
  [[nodiscard]] PinnedPhasesModel* pinned_phases() const { return pinned_phases_; }
  [[nodiscard]] SweepCurveModel* curve() const { return curve_model_; }
  [[nodiscard]] QBarSeries* pinned_series() const { return pinned_bars_; }
  void show_pinned();
  [[nodiscard]] Runner* runner() const { return runner_; }
  [[nodiscard]] QPushButton* start_button() const { return start_; }
  [[nodiscard]] QPushButton* cancel_button() const { return cancel_; }
  [[nodiscard]] QString status_text() const;

 private:
  void start();
  void point_arrived(const api::SweepPoint& p);
  void redraw();
  void pin_selected();
  QWidget* make_controls();
  QWidget* make_pinned();
  void redraw_pinned();
  void make_curve_series();

  api::ScenarioDoc base_;
  Runner* runner_;
  SweepModel* model_;
  PinnedRunsModel* pinned_;
  PinnedPhasesModel* pinned_phases_;
  SweepCurveModel* curve_model_;
  QTabWidget* tabs_ = nullptr;
  QComboBox* pinned_metric_ = nullptr;
  QBarSeries* pinned_bars_ = nullptr;
  QBarCategoryAxis* pinned_x_ = nullptr;  // made once and updated in place
  QValueAxis* pinned_y_ = nullptr;
  QLineSeries* line_ = nullptr;
  QScatterSeries* bad_ = nullptr;
  QComboBox* key1_ = nullptr;
  QComboBox* key2_ = nullptr;
  QLineEdit* values1_ = nullptr;
  QLineEdit* values2_ = nullptr;
  QCheckBox* two_axes_ = nullptr;
  QComboBox* metric_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QStackedWidget* charts_ = nullptr;
  QChartView* curve_ = nullptr;
  HeatMap* heat_ = nullptr;
  QTableView* table_ = nullptr;
  QChartView* pinned_chart_ = nullptr;
};

}  // namespace deepsim::gui
