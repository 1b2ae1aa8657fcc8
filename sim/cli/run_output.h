// What `deepsim run` computes, prints and writes for one scenario.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

#include "sim/scenario/scenario.h"
#include "sim/report/run_report.h"
#include "sim/step/imbalance_study.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"

namespace deepsim::cli {

struct RunOutput {
  Scenario scenario;
  StaticAnalysis analysis;
  StepSimulation step;
  std::vector<ImbalanceRow> imbalance;  // when the scenario's moe: section configures a skew or EPLB
  RunReport report;                     // forecast, cost and the files of `--out` (sim/report)
};

[[nodiscard]] RunOutput compute_run(const Scenario& s);
void print_run(std::ostream& out, const RunOutput& r);
[[nodiscard]] std::string summary_line(const RunOutput& r);
void write_run(const std::filesystem::path& dir, const RunOutput& r);

}  // namespace deepsim::cli
