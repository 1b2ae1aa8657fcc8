// Serving what-if: one serving parameter of a scenario with a `serving:` section (decode EP size, decode
// batch per GPU, MTP acceptance rate, GPU type, or any schema key) swept over a list of values on the
// runner's thread (sim/api/serve_run.h); decode throughput per node, TPOT and $ per million output tokens
// charted against the value (bars bound to gui/models/serve_sweep_model.h's tables), points that do not
// fit or load marked, the figures and reasons in a table below.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QWidget>
#include <array>

#include "gui/models/runner.h"
#include "gui/models/serve_sweep_model.h"

class QBarCategoryAxis;
class QChartView;
class QValueAxis;

namespace deepsim::gui {

class ServeView : public QWidget {
  Q_OBJECT
 public:
  explicit ServeView(QWidget* parent = nullptr);
  // The scenario served (default: the shipped scenarios/serving/deepseek-v3-h800.yaml). False, with the
  // reason in the status line, when the file cannot be read.
  bool set_scenario_file(const QString& path);
  void set_sweep(const QString& key, const QString& values);
  [[nodiscard]] ServeSweepModel* model() const { return model_; }
  [[nodiscard]] ServeChartModel* chart_model(ServeMetric m) const { return charts_.at(static_cast<std::size_t>(m)); }
  [[nodiscard]] Runner* runner() const { return runner_; }
  [[nodiscard]] QPushButton* start_button() const { return start_; }
  [[nodiscard]] QPushButton* cancel_button() const { return cancel_; }
  [[nodiscard]] QString status_text() const { return status_->text(); }

 private:
  void start();
  void redraw(ServeMetric m);
  QWidget* make_controls();
  QChartView* make_chart(ServeMetric m);

  api::ScenarioDoc base_;
  Runner* runner_;
  ServeSweepModel* model_;
  std::array<ServeChartModel*, 3> charts_{};
  std::array<QChartView*, 3> views_{};
  std::array<QBarCategoryAxis*, 3> x_axes_{};  // made once and updated: axes removed and re-added leave stale labels
  std::array<QValueAxis*, 3> y_axes_{};
  QLineEdit* file_ = nullptr;
  QComboBox* key_ = nullptr;
  QLineEdit* values_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
};

}  // namespace deepsim::gui
