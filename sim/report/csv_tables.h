// CSV exports of one scenario's result: one row per phase (phases.csv) and one per pipeline rank of the
// configured step (ranks.csv). Numbers are written in the shortest form that reads back exactly.
#pragma once

#include <string>
#include <string_view>

#include "sim/report/run_report.h"

namespace deepsim {

// Quotes a field when it holds a comma, quote or newline (RFC 4180).
[[nodiscard]] std::string csv_field(std::string_view text);
[[nodiscard]] std::string phases_csv(const RunReport& r);
[[nodiscard]] std::string ranks_csv(const RunReport& r);

}  // namespace deepsim
