#include "cmdline/number_arg.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "cmdline/command_line.h"

namespace deepsim::cmdline {
namespace {

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Why a text is not a plain integer, as a hint the user can act on.
std::string integer_hint(const std::string& text) {
  if (text.find_first_of("eE.") != std::string::npos) return "write the integer in full digits, e.g. 4096";
  if (!text.empty() && std::isalpha(static_cast<unsigned char>(text.back())))
    return "no unit suffixes here: write 4096, not 4k";
  return "digits only, e.g. 8";
}

}  // namespace

long long parse_int(const std::string& text, const std::string& where, long long lo, long long hi) {
  const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
  long long v = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!text.empty() && text[0] == '+') ++begin;  // from_chars takes '-' but not '+'
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end)
    throw UsageError(where, "expected an integer in " + range + ", got '" + text + "'", integer_hint(text));
  if (ec == std::errc::result_out_of_range || v < lo || v > hi)
    throw UsageError(where, "expected an integer in " + range + ", got '" + text + "'", "out of range");
  return v;
}

double parse_double(const std::string& text, const std::string& where, double lo, double hi) {
  const std::string range = number(lo) + ".." + number(hi);
  double v = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!text.empty() && text[0] == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
    throw UsageError(where, "expected a number in " + range + ", got '" + text + "'", "e.g. 0.5 or 2e3");
  if (v < lo || v > hi) throw UsageError(where, "expected a number in " + range + ", got '" + text + "'", "out of range");
  return v;
}

}  // namespace deepsim::cmdline
