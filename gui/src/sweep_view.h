// What-if: one or two scenario keys with lists of values, swept in the background on every core (the
// runner's thread drives sim/api's pool). One key draws the chosen metric as a curve, two keys as a
// heat map; infeasible points (memory over HBM, plans that do not load) are drawn as such. Any point, or
// the dashboard's run, can be pinned; pinned runs sit side by side with their differences.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QWidget>

#include "gui/models/pinned_runs_model.h"
#include "gui/models/runner.h"
#include "gui/models/sweep_model.h"

class QChartView;
class QCheckBox;
class QStackedWidget;
class QTableView;

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
  void pin(const QString& label, const api::Headline& h) { pinned_->pin(label, h); }
  [[nodiscard]] SweepModel* model() const { return model_; }
  [[nodiscard]] PinnedRunsModel* pinned() const { return pinned_; }
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

  api::ScenarioDoc base_;
  Runner* runner_;
  SweepModel* model_;
  PinnedRunsModel* pinned_;
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
