#include "gui/models/compare_model.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "calibrate/src/compare.h"
#include "calibrate/src/kineto_trace.h"
#include "calibrate/src/measured_run.h"
#include "calibrate/src/step_predictor.h"
#include "gui/models/display.h"
#include "sim/core/error.h"
#include "sim/step/simulate.h"

namespace deepsim::gui {
namespace {

std::vector<CompareEntry> entries_of(const calib::RunComparison& c) {
  std::vector<CompareEntry> out;
  auto add = [&](const std::string& level, const calib::CompareRow& r) {
    out.push_back({c.file, level, r.key, r.measured_s, r.predicted_s, {}, {}});
  };
  for (const auto& r : c.classes) add("class", r);
  for (const auto& r : c.phases) add("phase", r);
  if (c.step.measured_s > 0) add("step", c.step);
  return out;
}

std::optional<double> ms_of(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<double>() * 1e-3;
}

}  // namespace

std::optional<double> CompareEntry::error() const {
  if (!predicted_s || measured_s <= 0) return std::nullopt;
  return (*predicted_s - measured_s) / measured_s;
}

CompareModel::CompareModel(QObject* parent) : RowsModel<CompareEntry>({}, parent) {
  using E = CompareEntry;
  auto opt = [](const std::optional<double>& v, QString (*text)(double)) { return v ? text(*v) : QString("-"); };
  set_columns({{"Source", [](const E& e) { return QString::fromStdString(e.source); }, {}},
               {"Level", [](const E& e) { return QString::fromStdString(e.level); }, {}},
               {"Key", [](const E& e) { return QString::fromStdString(e.key); }, {}},
               {"Measured", [](const E& e) { return seconds_text(e.measured_s); }, [](const E& e) { return e.measured_s; }},
               {"Predicted", [opt](const E& e) { return opt(e.predicted_s, seconds_text); },
                [](const E& e) { return e.predicted_s.value_or(0); }},
               {"Error", [opt](const E& e) { return opt(e.error(), percent_text); },
                [](const E& e) { return 100 * e.error().value_or(0); }},
               {"Implied GPU-hours", [opt](const E& e) { return opt(e.implied_gpu_hours, gpu_hours_text); },
                [](const E& e) { return e.implied_gpu_hours.value_or(0); }},
               {"Implied $", [opt](const E& e) { return opt(e.implied_usd, usd_text); },
                [](const E& e) { return e.implied_usd.value_or(0); }}});
}

void CompareModel::add(std::vector<CompareEntry> rows) {
  for (CompareEntry& e : rows) {
    if (run_ && e.predicted_s && *e.predicted_s > 0) {
      const double scale = e.measured_s / *e.predicted_s;
      const double usd = run_->cost_basis == "ownership" ? run_->ownership_usd : run_->rental_usd;
      e.implied_gpu_hours = run_->gpu_hours * scale;
      e.implied_usd = usd * scale;
    }
    append_row(std::move(e));
  }
}

void CompareModel::set_run(const std::optional<api::Headline>& headline) {
  run_ = headline;
  std::vector<CompareEntry> rows = this->rows();
  for (auto& e : rows) e.implied_gpu_hours = e.implied_usd = std::nullopt;
  set_rows({});
  add(std::move(rows));
}

void CompareModel::add_measured_run(const std::string& path, const Scenario& scenario) {
  const calib::MeasuredRun run = calib::read_measured_run(path);
  const auto model = kernel_model_for(scenario);
  add(entries_of(calib::compare_run(run, calib::predict_with_kernel_model(run, *model))));
}

void CompareModel::add_compare_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path, 0, 0}, "", "cannot read the compare file", "check the path");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError({path, 0, 0}, "", std::string("not valid JSON: ") + e.what(), "deepsim-calibrate compare --json writes it");
  }
  if (j.value("schema", "") != "deepsim.compare/1")
    throw InputError({path, 0, 0}, "schema", "not a deepsim.compare/1 file", "deepsim-calibrate compare --json writes it");
  std::vector<CompareEntry> rows;
  for (const auto& r : j.at("runs")) {
    const std::string file = r.value("file", path);
    auto add_rows = [&](const char* level, const nlohmann::json& list) {
      for (const auto& x : list) rows.push_back({file, level, x.value("key", ""), ms_of(x, "measured_ms").value_or(0), ms_of(x, "predicted_ms"), {}, {}});
    };
    add_rows("class", r.at("classes"));
    add_rows("phase", r.at("phases"));
    if (r.contains("step")) add_rows("step", nlohmann::json::array({r["step"]}));
  }
  add(std::move(rows));
}

void CompareModel::add_kineto_trace(const std::string& path, const Scenario* scenario, KinetoSpan span) {
  const calib::KinetoTrace t = calib::read_kineto_trace(path);
  std::optional<calib::PredictedRun> predicted;
  if (scenario) {
    const int first = span.first_layer >= 0 ? span.first_layer : scenario->model.moe.first_dense_layers;
    predicted = calib::predict_layers(*scenario, first, span.layers);
  }
  std::vector<CompareEntry> rows;
  for (const calib::ClassSummary& c : calib::summarize(t)) {
    // The file's name as the source, like a measured run's (the full path is in the status line).
    CompareEntry e{std::filesystem::path(path).filename().string(), "class", c.kernel_class, c.total_us * 1e-6, {}, {}, {}};
    if (predicted) {
      // A class the model launches no kernel of (communication, other) stays measured only.
      const auto it = predicted->class_seconds.find(c.kernel_class);
      if (it != predicted->class_seconds.end()) e.predicted_s = it->second;
    }
    rows.push_back(std::move(e));
  }
  add(std::move(rows));
}

}  // namespace deepsim::gui
