// The scenario's `reference:` figures (published or measured) beside the prediction, with the error:
// error % = 100 x (predicted - reference) / reference, positive when the prediction is higher. report.md,
// report.html and result.json show the same rows.
#pragma once

#include <string>
#include <vector>

#include "sim/report/run_report.h"

namespace deepsim {

struct ReferenceRow {
  std::string key;        // "step_time_s", "gpu_hours", "cost_usd": the result.json key
  std::string quantity;   // "step time", "GPU-hours (whole run)", "cost (rental)"
  std::string unit;       // "s", "GPU-hours", "USD"
  double predicted = 0;
  double reference = 0;
  std::string source;
  [[nodiscard]] double error_pct() const { return 100.0 * (predicted - reference) / reference; }
};

// A figure of the row in its unit for people ("19.9 s", "2.66M GPU-hours", "$5.33M"), and the error ("-17.8%").
[[nodiscard]] std::string value_text(const ReferenceRow& row, double v);
[[nodiscard]] std::string error_text(const ReferenceRow& row);

// One row per figure the scenario gives, in the order step time, GPU-hours, cost; empty without any.
[[nodiscard]] std::vector<ReferenceRow> reference_rows(const RunReport& r);

}  // namespace deepsim
