// Durations for people: three significant digits in the unit that fits ("930 ms", "1.25 s", "12.4 us"),
// never "9.3e+02 ms" and never "0.000 ns". For programs that cannot use sim/core/format.h (runtime/,
// kernels/), and for progress lines.
#pragma once

#include <string>

namespace deepsim::cmdline {

[[nodiscard]] std::string duration_text(double seconds);
// The same for a value already in milliseconds (measured step times are kept in ms).
[[nodiscard]] inline std::string duration_text_ms(double ms) { return duration_text(ms * 1e-3); }

}  // namespace deepsim::cmdline
