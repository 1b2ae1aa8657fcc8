#include "calibrate/src/compare.h"

#include <cmath>
#include <set>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/format.h"

namespace deepsim::calib {
namespace {

const std::vector<std::string>& phase_keys() {
  static const std::vector<std::string> keys = {"F", "B", "W", "optimizer", kCommunicationClass, "other"};
  return keys;
}

std::optional<double> mape_of(const std::vector<CompareRow>& rows) {
  double sum = 0;
  int n = 0;
  for (const CompareRow& r : rows)
    if (const auto e = r.error()) {
      sum += std::abs(*e);
      ++n;
    }
  if (n == 0) return std::nullopt;
  return sum / n;
}

std::string pct(const std::optional<double>& e) { return e ? fixed(100 * *e, 1) + "%" : "-"; }

void table_rows(std::ostringstream& o, const char* title, const std::vector<CompareRow>& rows) {
  o << "  " << title << "\n";
  for (const CompareRow& r : rows) {
    char line[200];
    std::snprintf(line, sizeof line, "    %-20s %12.3f %12s %9s\n", r.key.c_str(), r.measured_s * 1e3,
                  r.predicted_s ? fixed(*r.predicted_s * 1e3, 3).c_str() : "-", pct(r.error()).c_str());
    o << line;
  }
}

nlohmann::json rows_json(const std::vector<CompareRow>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const CompareRow& r : rows) {
    nlohmann::json j = {{"key", r.key}, {"measured_ms", r.measured_s * 1e3}};
    j["predicted_ms"] = r.predicted_s ? nlohmann::json(*r.predicted_s * 1e3) : nlohmann::json(nullptr);
    j["error_pct"] = r.error() ? nlohmann::json(100 * *r.error()) : nlohmann::json(nullptr);
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace

std::optional<double> CompareRow::error() const {
  if (!predicted_s || measured_s <= 0) return std::nullopt;
  return (*predicted_s - measured_s) / measured_s;
}

std::string phase_key(const MeasuredKernel& k) {
  if (k.kernel_class == kCommunicationClass) return kCommunicationClass;
  if (k.op == "optimizer" || k.op.rfind("optimizer.", 0) == 0) return "optimizer";
  return k.phase.empty() ? "other" : k.phase;
}

RunComparison measured_figures(const MeasuredRun& run) {
  RunComparison c;
  c.file = run.file;
  c.device = run.device.name;
  const auto timed = run.timed_steps();
  c.timed_steps = static_cast<int>(timed.size());
  if (timed.empty())
    throw InputError({run.file, 0, 0}, "steps", "no timed steps (all are warm-up)", "mark at least one step warmup: false");
  const double n = static_cast<double>(timed.size());
  std::map<std::string, double> cls, phase;
  for (const MeasuredKernel& k : run.kernels) {
    if (!run.is_timed(k.step)) continue;
    cls[k.kernel_class] += k.seconds() / n;
    phase[phase_key(k)] += k.seconds() / n;
  }
  for (const std::string& key : kernel_class_names())
    if (cls.count(key)) c.classes.push_back({key, cls[key], std::nullopt});
  for (const std::string& key : phase_keys())
    if (phase.count(key)) c.phases.push_back({key, phase[key], std::nullopt});
  double step = 0;
  for (const MeasuredStep* s : timed) step += s->seconds() / n;
  c.step = {"step", step, std::nullopt};
  return c;
}

RunComparison compare_run(const MeasuredRun& run, const PredictedRun& predicted) {
  RunComparison c = measured_figures(run);
  c.model = predicted.model;
  for (CompareRow& r : c.classes)
    if (const auto it = predicted.class_seconds.find(r.key); it != predicted.class_seconds.end()) r.predicted_s = it->second;
  for (CompareRow& r : c.phases)
    if (const auto it = predicted.phase_seconds.find(r.key); it != predicted.phase_seconds.end()) r.predicted_s = it->second;
  c.step.predicted_s = predicted.step_seconds;
  c.class_mape = mape_of(c.classes);
  c.phase_mape = mape_of(c.phases);
  return c;
}

ComparisonSummary compare_runs(std::span<const MeasuredRun> runs, const Predictor& predict) {
  ComparisonSummary s;
  std::map<std::string, std::pair<double, int>> per_class, per_phase;
  auto add = [](std::map<std::string, std::pair<double, int>>& acc, const std::vector<CompareRow>& rows) {
    for (const CompareRow& r : rows)
      if (const auto e = r.error()) {
        acc[r.key].first += std::abs(*e);
        ++acc[r.key].second;
      }
  };
  std::vector<CompareRow> steps;
  for (const MeasuredRun& run : runs) {
    s.runs.push_back(compare_run(run, predict(run)));
    add(per_class, s.runs.back().classes);
    add(per_phase, s.runs.back().phases);
    steps.push_back(s.runs.back().step);
  }
  for (const auto& [key, acc] : per_class) s.class_mape[key] = acc.first / acc.second;
  for (const auto& [key, acc] : per_phase) s.phase_mape[key] = acc.first / acc.second;
  s.step_mape = mape_of(steps);
  return s;
}

PredictedRun predict_with_kernel_model(const MeasuredRun& run, const KernelModel& model) {
  PredictedRun p;
  p.model = model.describe();
  std::set<std::string> unshaped;
  std::map<std::string, double> phase;
  std::set<std::string> unshaped_phase;
  const auto n = static_cast<double>(run.timed_steps().size());
  for (const MeasuredKernel& k : run.kernels) {
    if (!run.is_timed(k.step)) continue;
    if (!k.work) {
      unshaped.insert(k.kernel_class);
      unshaped_phase.insert(phase_key(k));
      continue;
    }
    const int sms = k.sms > 0 ? std::min(k.sms, run.device.sms) : run.device.sms;
    const double t = model.time(*k.work, sms).seconds() / n;
    p.class_seconds[k.kernel_class] += t;
    phase[phase_key(k)] += t;
  }
  for (const std::string& c : unshaped) p.class_seconds.erase(c);
  for (const auto& [key, t] : phase)
    if (!unshaped_phase.count(key)) p.phase_seconds[key] = t;
  return p;
}

std::string comparison_table(const ComparisonSummary& s) {
  std::ostringstream o;
  for (const RunComparison& r : s.runs) {
    o << r.file << " (" << r.device << ", " << r.timed_steps << " timed steps)\n";
    if (!r.model.empty()) o << "  predicted by: " << r.model << "\n";
    o << "  per step, ms            measured    predicted     error\n";
    table_rows(o, "kernel class", r.classes);
    table_rows(o, "phase", r.phases);
    table_rows(o, "step (wall)", {r.step});
    o << "  MAPE over kernel classes: " << pct(r.class_mape) << ", over phases: " << pct(r.phase_mape) << "\n\n";
  }
  if (s.runs.size() > 1) {
    o << "summary over " << s.runs.size() << " runs (MAPE)\n";
    for (const auto& [key, m] : s.class_mape) o << "  class " << key << ": " << fixed(100 * m, 1) << "%\n";
    for (const auto& [key, m] : s.phase_mape) o << "  phase " << key << ": " << fixed(100 * m, 1) << "%\n";
    o << "  step: " << pct(s.step_mape) << "\n";
  }
  return o.str();
}

nlohmann::json comparison_json(const ComparisonSummary& s) {
  nlohmann::json j;
  j["schema"] = "deepsim.compare/1";
  j["runs"] = nlohmann::json::array();
  for (const RunComparison& r : s.runs) {
    nlohmann::json rj = {{"file", r.file}, {"device", r.device}, {"model", r.model}, {"timed_steps", r.timed_steps}};
    rj["classes"] = rows_json(r.classes);
    rj["phases"] = rows_json(r.phases);
    rj["step"] = rows_json({r.step})[0];
    rj["class_mape_pct"] = r.class_mape ? nlohmann::json(100 * *r.class_mape) : nlohmann::json(nullptr);
    rj["phase_mape_pct"] = r.phase_mape ? nlohmann::json(100 * *r.phase_mape) : nlohmann::json(nullptr);
    j["runs"].push_back(std::move(rj));
  }
  nlohmann::json sum;
  sum["runs"] = s.runs.size();
  sum["class_mape_pct"] = nlohmann::json::object();
  for (const auto& [key, m] : s.class_mape) sum["class_mape_pct"][key] = 100 * m;
  sum["phase_mape_pct"] = nlohmann::json::object();
  for (const auto& [key, m] : s.phase_mape) sum["phase_mape_pct"][key] = 100 * m;
  sum["step_mape_pct"] = s.step_mape ? nlohmann::json(100 * *s.step_mape) : nlohmann::json(nullptr);
  j["summary"] = std::move(sum);
  return j;
}

}  // namespace deepsim::calib
