// The report's charts as inline SVG: the configured step per pipeline rank (compute by category, exposed
// communication, bubble), GPU-hours by phase, the cost breakdown, memory per stage against HBM, and link
// utilisation by class.
#pragma once

#include <string>
#include <vector>

#include "sim/report/run_report.h"

namespace deepsim {

struct Chart {
  std::string title;
  std::string svg;
};

[[nodiscard]] std::string step_timeline_svg(const StepResult& step);
[[nodiscard]] std::string gpu_hours_svg(const Forecast& f);
[[nodiscard]] std::string cost_svg(const RunCost& c);
[[nodiscard]] std::string memory_svg(const StepResult& step, double hbm_gb);
[[nodiscard]] std::string links_svg(const StepResult& step);
[[nodiscard]] std::vector<Chart> all_charts(const RunReport& r);

}  // namespace deepsim
