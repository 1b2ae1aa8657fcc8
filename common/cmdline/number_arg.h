// Strict numbers on the command line: the whole text must be the number, in range. std::stoi took
// `--seq-len 1e30` as 1, `4k` as 4 and `--jobs 3abc` as 3; here each is an error naming the option.
#pragma once

#include <string>

namespace deepsim::cmdline {

// Decimal integer (optional sign) in [lo, hi]; throws UsageError(where, ...) with the range in the message.
[[nodiscard]] long long parse_int(const std::string& text, const std::string& where, long long lo, long long hi);
// Finite decimal number (1.5, 2e3) in [lo, hi]; throws UsageError.
[[nodiscard]] double parse_double(const std::string& text, const std::string& where, double lo, double hi);

}  // namespace deepsim::cmdline
