// Predicted against measured: measured runs (deepsim-exec JSON, predicted with the scenario's kernel
// model), Kineto traces (per class, predicted for the layers the trace covers, set beside the Load button)
// and compare.json files, as a table, a scatter of predicted
// against measured with the y = x line, and the error of each row as bars; with a simulated run, each
// row also says what its error would mean for the whole run's GPU-hours and dollars. The series are
// bound to CompareChartModel's tables (gui/models/chart_models.h).
#pragma once

#include <QLabel>
#include <QSpinBox>
#include <QWidget>
#include <optional>

#include "gui/models/chart_models.h"
#include "gui/models/compare_model.h"

class QBarCategoryAxis;
class QChartView;
class QValueAxis;

namespace deepsim::gui {

class MeasuredView : public QWidget {
  Q_OBJECT
 public:
  explicit MeasuredView(QWidget* parent = nullptr);
  void set_scenario(const std::optional<Scenario>& s) { scenario_ = s; }
  void set_run(const api::Headline& h) { model_->set_run(h); }
  // Reads a file by its kind (".json" with "deepsim.compare/1", a measured run, or a Kineto trace).
  void load_file(const QString& path);
  [[nodiscard]] CompareModel* model() const { return model_; }
  [[nodiscard]] CompareChartModel* charts() const { return charts_; }
  // What the next Kineto trace covers (first layer -1: the model's first MoE layer).
  [[nodiscard]] KinetoSpan kineto_span() const { return {first_layer_->value(), layers_->value()}; }

 private:
  void make_series();
  void update_axes();

  CompareModel* model_;
  CompareChartModel* charts_;
  std::optional<Scenario> scenario_;
  QLabel* status_ = nullptr;
  QSpinBox* first_layer_ = nullptr;
  QSpinBox* layers_ = nullptr;
  QChartView* scatter_ = nullptr;
  QChartView* errors_ = nullptr;
  QValueAxis* measured_axis_ = nullptr;  // the axes are made once and updated in place
  QValueAxis* predicted_axis_ = nullptr;
  QBarCategoryAxis* error_keys_ = nullptr;
  QValueAxis* error_axis_ = nullptr;
};

}  // namespace deepsim::gui
