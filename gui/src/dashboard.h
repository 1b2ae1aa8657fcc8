// The results dashboard: the headline (GPU-hours, days, dollars, MFU, tokens/s, memory fit), charts of
// GPU-hours and cost by phase, memory per stage against HBM and link utilisation by class, the tables
// behind them and the run's notes. Charts are bound to the models through Qt Charts' model mappers.
#pragma once

#include <QLabel>
#include <QListWidget>
#include <QWidget>

#include "gui/models/result_models.h"
#include "gui/models/runner.h"

class QChartView;
class QBarCategoryAxis;
class QValueAxis;

namespace deepsim::gui {

class Dashboard : public QWidget {
  Q_OBJECT
 public:
  explicit Dashboard(QWidget* parent = nullptr);
  void show_run(const RunBundlePtr& run);
  [[nodiscard]] HeadlineModel* headline_model() const { return headline_; }
  [[nodiscard]] QString headline_gpu_hours_text() const { return gpu_hours_->text(); }

 signals:
  void pinRequested();

 private:
  QWidget* make_headline();
  QChartView* make_phase_chart();
  QChartView* make_cost_chart();
  QChartView* make_memory_chart();
  QChartView* make_link_chart();
  void update_axes();

  HeadlineModel* headline_;
  StageMemoryModel* memory_;
  PhaseModel* phases_;
  LinkModel* links_;
  NumericProxy* memory_numbers_;
  NumericProxy* phase_numbers_;
  NumericProxy* link_numbers_;
  QLabel* title_ = nullptr;
  QLabel* gpu_hours_ = nullptr;
  QLabel* days_ = nullptr;
  QLabel* cost_ = nullptr;
  QLabel* mfu_ = nullptr;
  QLabel* memory_fit_ = nullptr;
  QLabel* reference_ = nullptr;  // the scenario's reference figures beside the prediction
  QListWidget* notes_ = nullptr;
  QChartView* phase_chart_ = nullptr;
  QChartView* memory_chart_ = nullptr;
  QChartView* link_chart_ = nullptr;
  QChartView* cost_chart_ = nullptr;
};

}  // namespace deepsim::gui
