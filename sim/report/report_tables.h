// The tables every human-readable report shows, as plain rows of text: report.md and report.html
// render the same tables, so the two never disagree.
#pragma once

#include <string>
#include <vector>

#include "sim/report/run_report.h"

namespace deepsim {

struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

[[nodiscard]] Table headline_table(const RunReport& r);   // the answer: GPU-hours, days, dollars, MFU
// The scenario's reference figures beside the prediction, with error % and source; no rows without any.
[[nodiscard]] Table reference_table(const RunReport& r);
[[nodiscard]] Table phases_table(const RunReport& r);
[[nodiscard]] Table steps_table(const RunReport& r);      // the representative steps simulated
[[nodiscard]] Table ranks_table(const RunReport& r);      // the configured step, rank by rank
// The configured step rank by rank in wall clock: forward, backward, weight, overlapped F&B, optimizer
// with its DP sync, bubble (RankResult::wall), summing to the step.
[[nodiscard]] Table wall_breakdown_table(const RunReport& r);
// Per op family the step used: calibration profile or roofline default, the source in words, its ops.
[[nodiscard]] Table kernel_sources_table(const RunReport& r);
[[nodiscard]] Table failures_table(const RunReport& r);
[[nodiscard]] Table cost_table(const RunReport& r);
// The headline first, then the reference table when the scenario has one, then the rest.
[[nodiscard]] std::vector<Table> all_tables(const RunReport& r);
// How many of all_tables() lead the report, before its charts: the headline and the reference.
[[nodiscard]] std::size_t leading_tables(const RunReport& r);

}  // namespace deepsim
