#include "cmdline/duration_text.h"

#include <cmath>
#include <cstdio>

namespace deepsim::cmdline {
namespace {

// Three significant digits without an exponent: 930, 93.0, 9.30.
std::string three_digits(double v, const char* unit) {
  const double a = std::fabs(v);
  const int decimals = a >= 100.0 ? 0 : a >= 10.0 ? 1 : 2;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %s", decimals, v, unit);
  return buf;
}

}  // namespace

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds)) return "n/a";
  const double a = std::fabs(seconds);
  if (a == 0.0) return "0 s";
  if (a >= 2 * 86400.0) return three_digits(seconds / 86400.0, "days");
  if (a >= 2 * 3600.0) return three_digits(seconds / 3600.0, "h");
  if (a >= 120.0) return three_digits(seconds / 60.0, "min");
  // 999.6 ms would print as "1000 ms"; the thresholds sit just below the rounding point.
  if (a >= 0.9995) return three_digits(seconds, "s");
  if (a >= 0.9995e-3) return three_digits(seconds * 1e3, "ms");
  if (a >= 0.9995e-6) return three_digits(seconds * 1e6, "us");
  return three_digits(seconds * 1e9, "ns");
}

}  // namespace deepsim::cmdline
