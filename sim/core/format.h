// Human-readable rendering of quantities for reports and the CLI ("1.23 ms", "70.3 GB", "1.98 PFLOP/s").
#pragma once

#include <string>

#include "sim/core/units.h"

namespace deepsim {

[[nodiscard]] std::string format_time(Time t);
[[nodiscard]] std::string format_seconds(double s);
[[nodiscard]] std::string format_bytes(Bytes b);         // decimal units: kB, MB, GB, TB
[[nodiscard]] std::string format_bandwidth(Bandwidth b); // GB/s
[[nodiscard]] std::string format_flops(Flops f);         // GFLOP, TFLOP, PFLOP
[[nodiscard]] std::string format_count(double n);        // 671.0B, 37.5M
// Fixed-precision decimal without locale surprises.
[[nodiscard]] std::string fixed(double v, int digits);

}  // namespace deepsim
