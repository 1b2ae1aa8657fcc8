// What `deepsim run` computes, prints and writes for one scenario.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

#include "sim/api/run.h"
#include "sim/scenario/scenario.h"

namespace deepsim::cli {

// The computation is the front-end API's (sim/api/run.h), shared with deepsim-gui and the bindings.
using RunOutput = api::RunOutput;

// `with_trace`: trace.json will be written (--out), so the step records its link use over time.
[[nodiscard]] inline RunOutput compute_run(const Scenario& s, bool with_trace) {
  return api::run_forecast(s, {}, api::RunRecording{with_trace});
}
void print_run(std::ostream& out, const RunOutput& r);
[[nodiscard]] std::string summary_line(const RunOutput& r);
void write_run(const std::filesystem::path& dir, const RunOutput& r);

}  // namespace deepsim::cli
