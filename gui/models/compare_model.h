// Predicted against measured, as rows: per kernel class, per phase (F/B/W/other) and per step of each
// loaded run, with the error and what it would mean for the scenario's whole run if it held there:
// implied GPU-hours = predicted GPU-hours x measured / predicted (and the same for dollars).
// Sources: deepsim-exec's measured-run JSON (predicted here with the scenario's kernel model, through
// calibrate's predictor), `compare.json` files (predictions already in them), and Kineto traces (per class;
// with a scenario, predicted by its kernel model for the layers the trace covers, calib::predict_layers:
// a trace carries no shapes or layer numbers, so what it covers is the user's input, KinetoSpan).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gui/models/rows_model.h"
#include "sim/api/summary.h"
#include "sim/scenario/scenario.h"

namespace deepsim::gui {

struct CompareEntry {
  std::string source;   // file
  std::string level;    // "class", "phase", "step"
  std::string key;      // "gemm_fp8", "F", "step"
  double measured_s = 0;
  std::optional<double> predicted_s;
  std::optional<double> implied_gpu_hours, implied_usd;  // set when predicted and a run was simulated
  [[nodiscard]] std::optional<double> error() const;      // (predicted - measured) / measured
};

// What a Kineto trace covers: `layers` transformer layers from `first_layer` (0-based; -1: the model's first
// MoE layer), one micro-batch of the scenario, forward and backward. deepseek-ai/profile-data's layer-pair
// excerpt (tests/calibrate/data) is one MoE layer's forward and one's backward: the default.
struct KinetoSpan {
  int first_layer = -1;
  int layers = 1;
};

class CompareModel : public RowsModel<CompareEntry> {
 public:
  explicit CompareModel(QObject* parent = nullptr);
  // Each throws InputError / std::runtime_error with the file's name for a bad file.
  void add_measured_run(const std::string& path, const Scenario& scenario);
  void add_compare_json(const std::string& path);
  // Without a scenario the rows are measured only; with one, each kernel class but communication gets the
  // scenario's prediction for `span`.
  void add_kineto_trace(const std::string& path, const Scenario* scenario = nullptr, KinetoSpan span = {});
  // The scenario's predicted totals, for the implied figures (recomputed for every row).
  void set_run(const std::optional<api::Headline>& headline);
  void clear() { set_rows({}); }

 private:
  void add(std::vector<CompareEntry> rows);
  std::optional<api::Headline> run_;
};

}  // namespace deepsim::gui
