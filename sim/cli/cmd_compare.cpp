// deepsim compare MEASURED.json...: the step simulator against measured executor runs (deepsim-exec). Each
// run's own scenario is simulated on the device that ran (calibrate/src/step_predictor.h); the table and
// compare.json give predicted against measured per kernel family, per phase and for the step, error % and
// MAPE, and with several runs one summary (calibrate/src/compare.h; docs/cli.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "calibrate/src/compare.h"
#include "calibrate/src/measured_run.h"
#include "calibrate/src/step_predictor.h"
#include "sim/cli/commands.h"
#include "sim/core/error.h"

namespace deepsim::cli {
namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error(path.string() + ": cannot write");
  f << text;
  if (!f) throw std::runtime_error(path.string() + ": write failed");
}

int run_compare(const Args& args) {
  std::vector<calib::MeasuredRun> runs;
  for (const std::string& f : args.positional()) runs.push_back(calib::read_measured_run(f));
  const std::string profile = args.get("profile").value_or("");
  const calib::ComparisonSummary s = calib::compare_runs(
      runs, [&](const calib::MeasuredRun& run) { return calib::predict_with_step_simulator(run, profile); });
  const std::string table = calib::comparison_table(s);
  std::cout << table;
  const std::filesystem::path out = args.get("out").value_or("compare-out");
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw std::runtime_error(out.string() + ": cannot create the output directory: " + ec.message());
  write_text(out / "compare.json", calib::comparison_json(s).dump(2) + "\n");
  write_text(out / "compare.txt", table);
  if (!args.has("quiet")) std::cout << "wrote " << (out / "compare.json").string() << " and compare.txt\n";
  return kExitOk;
}

}  // namespace

Command compare_command() {
  return {{"compare", "MEASURED.json...", 1, 1 << 20,
           "simulate measured executor runs on the GPU that ran; predicted vs measured per family, phase and step",
           {{"profile", "PROFILE", false, "calibration profile (name or path) instead of the scenario's"},
            {"out", "DIR", false, "write compare.json and compare.txt to DIR (default compare-out)"},
            {"quiet", "", false, "do not print the paths written"}}},
          run_compare};
}

}  // namespace deepsim::cli
