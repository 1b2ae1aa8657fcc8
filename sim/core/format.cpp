#include "sim/core/format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace deepsim {

// std::to_chars with a precision prints exactly what printf's "%.*f" does in the "C" locale, several
// times faster (reports and traces format hundreds of thousands of numbers); printf remains for what
// does not fit the buffer (|v| above ~1e40) and for inf / nan, whose spelling to_chars does not share.
std::string fixed(double v, int digits) {
  char buf[64];
  if (std::isfinite(v)) {
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, digits);
    if (ec == std::errc{}) return std::string(buf, end);
  }
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

namespace {
std::string scaled(double v, const char* const* units, int n, double step, int digits) {
  int i = 0;
  double a = std::fabs(v);
  while (i + 1 < n && a >= step) {
    a /= step;
    v /= step;
    ++i;
  }
  return fixed(v, digits) + " " + units[i];
}
}  // namespace

std::string format_seconds(double s) {
  const double a = std::fabs(s);
  if (a == 0.0) return "0 s";  // not "0.000 ns": zero has no scale to pick
  if (a >= 86400.0 * 2) return fixed(s / 86400.0, 2) + " days";
  if (a >= 3600.0) return fixed(s / 3600.0, 2) + " h";
  if (a >= 1.0) return fixed(s, 3) + " s";
  if (a >= 1e-3) return fixed(s * 1e3, 3) + " ms";
  if (a >= 1e-6) return fixed(s * 1e6, 3) + " us";
  return fixed(s * 1e9, 3) + " ns";
}

std::string format_time(Time t) { return format_seconds(t.seconds()); }

std::string format_bytes(Bytes b) {
  static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  return scaled(b.value(), units, 6, 1000.0, 2);
}

std::string format_bandwidth(Bandwidth b) { return fixed(b.gb_per_s(), 2) + " GB/s"; }

std::string format_flops(Flops f) {
  static const char* const units[] = {"FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP", "EFLOP", "ZFLOP"};
  return scaled(f.value(), units, 8, 1000.0, 3);
}

std::string format_count(double n) {
  static const char* const units[] = {"", "K", "M", "B", "T"};
  const double a = std::fabs(n);
  int i = 0;
  double v = n;
  while (i < 4 && std::fabs(v) >= 1000.0) {
    v /= 1000.0;
    ++i;
  }
  return a < 1000.0 ? fixed(n, 0) : fixed(v, 2) + units[i];
}

}  // namespace deepsim
