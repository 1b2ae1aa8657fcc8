// The human-readable reports of one scenario: report.md, a self-contained report.html (inline SVG and
// CSS, one small inline script that zooms the step timeline, nothing fetched), and the short summary printed on the terminal. Each lists its
// assumptions: the deepsim version, the kernel model, the step's and the forecast's notes and the fully
// resolved scenario.
#pragma once

#include <string>

#include "sim/report/run_report.h"

namespace deepsim {

[[nodiscard]] std::string markdown_report(const RunReport& r);
[[nodiscard]] std::string html_report(const RunReport& r);
[[nodiscard]] std::string text_summary(const RunReport& r);

}  // namespace deepsim
