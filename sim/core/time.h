// Time: the engine's clock, an integer count of picoseconds.
// Integer time makes event order exact and runs reproducible; doubles appear only at the edges
// (YAML in, reports out) through from_seconds()/seconds(). int64 picoseconds span +-106 days,
// far beyond one simulated training step; whole-run forecasts integrate in double seconds.
// Extreme but valid inputs (a GPU override of 0.001 TFLOP/s at seq 65536) can still ask for a step past
// that span, so every arithmetic operator is checked and throws TimeOverflow instead of wrapping (which
// is undefined behaviour and gave nonsense times); simulate_step turns it into an input error naming
// the cause. The check is one predictable branch per operation.
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <ostream>
#include <stdexcept>

namespace deepsim {

// A time computation left the int64-picosecond range (about +-106 days).
class TimeOverflow : public std::overflow_error {
 public:
  TimeOverflow() : std::overflow_error("time arithmetic past the int64 picosecond range (about 106 days)") {}
};

class Time {
 public:
  using rep = std::int64_t;
  static constexpr rep kPerSecond = 1'000'000'000'000;

  constexpr Time() = default;
  [[nodiscard]] static constexpr Time ps(rep v) { return Time(v); }
  [[nodiscard]] static constexpr Time ns(rep v) { return Time(mul(v, 1'000)); }
  [[nodiscard]] static constexpr Time us(rep v) { return Time(mul(v, 1'000'000)); }
  [[nodiscard]] static constexpr Time ms(rep v) { return Time(mul(v, 1'000'000'000)); }
  // Rounds to the nearest picosecond.
  [[nodiscard]] static Time from_seconds(double s) { return Time(from_ps_double(std::nearbyint(s * kPerSecond))); }
  // Rounds up: a duration computed from bytes / bandwidth must never finish early.
  [[nodiscard]] static Time from_seconds_ceil(double s) { return Time(from_ps_double(std::ceil(s * kPerSecond))); }
  [[nodiscard]] static constexpr Time zero() { return Time(0); }
  [[nodiscard]] static constexpr Time max() { return Time(std::numeric_limits<rep>::max()); }

  [[nodiscard]] constexpr rep count_ps() const { return v_; }
  [[nodiscard]] constexpr double seconds() const { return static_cast<double>(v_) / kPerSecond; }
  [[nodiscard]] constexpr double ms_value() const { return static_cast<double>(v_) / 1e9; }
  [[nodiscard]] constexpr double us_value() const { return static_cast<double>(v_) / 1e6; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time& operator+=(Time o) { v_ = add(v_, o.v_); return *this; }
  constexpr Time& operator-=(Time o) { v_ = sub(v_, o.v_); return *this; }
  friend constexpr Time operator+(Time a, Time b) { return Time(add(a.v_, b.v_)); }
  friend constexpr Time operator-(Time a, Time b) { return Time(sub(a.v_, b.v_)); }
  friend constexpr Time operator*(Time a, rep k) { return Time(mul(a.v_, k)); }
  friend constexpr Time operator*(rep k, Time a) { return Time(mul(a.v_, k)); }
  friend constexpr Time operator/(Time a, rep k) { return Time(a.v_ / k); }
  friend constexpr double operator/(Time a, Time b) { return static_cast<double>(a.v_) / static_cast<double>(b.v_); }

 private:
  constexpr explicit Time(rep v) : v_(v) {}
  static constexpr rep add(rep a, rep b) {
    rep r = 0;
    if (__builtin_add_overflow(a, b, &r)) throw TimeOverflow();
    return r;
  }
  static constexpr rep sub(rep a, rep b) {
    rep r = 0;
    if (__builtin_sub_overflow(a, b, &r)) throw TimeOverflow();
    return r;
  }
  static constexpr rep mul(rep a, rep b) {
    rep r = 0;
    if (__builtin_mul_overflow(a, b, &r)) throw TimeOverflow();
    return r;
  }
  // NaN and values past +-2^63 ps would be undefined behaviour to convert.
  static rep from_ps_double(double ps) {
    if (!(std::fabs(ps) < 9.2e18)) throw TimeOverflow();
    return static_cast<rep>(ps);
  }
  rep v_ = 0;
};

// For test failure messages and logs: "12.5us"-style with picosecond precision.
inline std::ostream& operator<<(std::ostream& os, Time t) { return os << t.count_ps() << "ps"; }

[[nodiscard]] constexpr Time max(Time a, Time b) { return a < b ? b : a; }
[[nodiscard]] constexpr Time min(Time a, Time b) { return a < b ? a : b; }

namespace literals {
constexpr Time operator""_ps(unsigned long long v) { return Time::ps(static_cast<Time::rep>(v)); }
constexpr Time operator""_ns(unsigned long long v) { return Time::ns(static_cast<Time::rep>(v)); }
constexpr Time operator""_us(unsigned long long v) { return Time::us(static_cast<Time::rep>(v)); }
constexpr Time operator""_ms(unsigned long long v) { return Time::ms(static_cast<Time::rep>(v)); }
constexpr Time operator""_s(unsigned long long v) { return Time::ps(static_cast<Time::rep>(v) * Time::kPerSecond); }
}  // namespace literals

}  // namespace deepsim
