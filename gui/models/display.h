// How the GUI writes numbers: one place for units and precision, so no view formats (or computes) a
// figure itself. Sizes and times reuse the CLI's formatting (sim/core/format.h).
#pragma once

#include <QString>

namespace deepsim::gui {

[[nodiscard]] QString gpu_hours_text(double gpu_hours);  // "2.79 M GPU-h"
[[nodiscard]] QString usd_text(double usd);              // "$5.58 M"
[[nodiscard]] QString days_text(double days);            // "57.3 days"
[[nodiscard]] QString seconds_text(double s);            // "15.80 s", "434.0 ms"
[[nodiscard]] QString gb_text(double gb);                // "84.9 GB"
[[nodiscard]] QString percent_text(double fraction);     // "38.2%"
[[nodiscard]] QString count_text(double n);              // "14.8T", "3.9K"
[[nodiscard]] QString rate_text(double per_s, const char* unit);  // "3.72 M tokens/s"

}  // namespace deepsim::gui
