// Rounding a computed duration (a double count of picoseconds) onto the engine's integer clock.
// Durations round *up*, so a flow or a slowed compute task never finishes before its work is done.
// Plain ceil() would turn floating-point noise into a whole extra picosecond (1e6 B at 1e9 B/s can come
// out as 1000000.0000000001 ps), so values within a hair of an integer snap to it first: the hair is
// 1e-3 ps, widened to 1e-12 of the value where doubles are that coarse. Either way it is far below
// the picosecond the clock resolves. A duration too long for the clock (past about 106 days: a NIC
// override of 0.001 Gb/s) throws TimeOverflow, which simulate_step reports as an input error; it used to
// saturate at Time::max(), which the engine reads as "never" and reported as a stuck task and a bug.
// Time::max() stays the sign of a task that truly never ends (a zero rate), set by the callers.
#pragma once

#include <cmath>

#include "sim/core/error.h"
#include "sim/core/time.h"

namespace deepsim {

[[nodiscard]] inline Time ceil_to_ps(double ps) {
  DEEPSIM_ASSERT(ps >= 0.0 && std::isfinite(ps), "a duration must be finite and non-negative");
  constexpr double kAbsoluteSnapPs = 1e-3;
  constexpr double kRelativeSnap = 1e-12;
  const double nearest = std::round(ps);
  const double snap = std::fmax(kAbsoluteSnapPs, ps * kRelativeSnap);
  const double rounded = std::fabs(ps - nearest) <= snap ? nearest : std::ceil(ps);
  // 2^63 is exactly representable; anything at or past it does not fit the clock.
  if (rounded >= static_cast<double>(Time::max().count_ps())) throw TimeOverflow();
  return Time::ps(static_cast<Time::rep>(rounded));
}

// now + ps rounded up; TimeOverflow past the clock's range.
[[nodiscard]] inline Time finish_after(Time now, double ps) { return now + ceil_to_ps(ps); }

}  // namespace deepsim
