// Time: the engine's clock, an integer count of picoseconds.
// Integer time makes event order exact and runs reproducible; doubles appear only at the edges
// (YAML in, reports out) through from_seconds()/seconds(). int64 picoseconds span +-106 days,
// far beyond one simulated training step; whole-run forecasts integrate in double seconds.
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <ostream>

namespace deepsim {

class Time {
 public:
  using rep = std::int64_t;
  static constexpr rep kPerSecond = 1'000'000'000'000;

  constexpr Time() = default;
  [[nodiscard]] static constexpr Time ps(rep v) { return Time(v); }
  [[nodiscard]] static constexpr Time ns(rep v) { return Time(v * 1'000); }
  [[nodiscard]] static constexpr Time us(rep v) { return Time(v * 1'000'000); }
  [[nodiscard]] static constexpr Time ms(rep v) { return Time(v * 1'000'000'000); }
  // Rounds to the nearest picosecond.
  [[nodiscard]] static Time from_seconds(double s) { return Time(static_cast<rep>(std::llround(s * kPerSecond))); }
  // Rounds up: a duration computed from bytes / bandwidth must never finish early.
  [[nodiscard]] static Time from_seconds_ceil(double s) { return Time(static_cast<rep>(std::ceil(s * kPerSecond))); }
  [[nodiscard]] static constexpr Time zero() { return Time(0); }
  [[nodiscard]] static constexpr Time max() { return Time(std::numeric_limits<rep>::max()); }

  [[nodiscard]] constexpr rep count_ps() const { return v_; }
  [[nodiscard]] constexpr double seconds() const { return static_cast<double>(v_) / kPerSecond; }
  [[nodiscard]] constexpr double ms_value() const { return static_cast<double>(v_) / 1e9; }
  [[nodiscard]] constexpr double us_value() const { return static_cast<double>(v_) / 1e6; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time& operator+=(Time o) { v_ += o.v_; return *this; }
  constexpr Time& operator-=(Time o) { v_ -= o.v_; return *this; }
  friend constexpr Time operator+(Time a, Time b) { return Time(a.v_ + b.v_); }
  friend constexpr Time operator-(Time a, Time b) { return Time(a.v_ - b.v_); }
  friend constexpr Time operator*(Time a, rep k) { return Time(a.v_ * k); }
  friend constexpr Time operator*(rep k, Time a) { return Time(a.v_ * k); }
  friend constexpr Time operator/(Time a, rep k) { return Time(a.v_ / k); }
  friend constexpr double operator/(Time a, Time b) { return static_cast<double>(a.v_) / static_cast<double>(b.v_); }

 private:
  constexpr explicit Time(rep v) : v_(v) {}
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
