// Quantities with their unit in the type: Bytes, Bandwidth (bytes/s), Flops, FlopRate (FLOP/s).
// Conversions to and from bare numbers happen only at the edges (YAML, reports); inside the model the
// arithmetic below keeps units straight: Bytes / Bandwidth = Time, Flops / FlopRate = Time.
#pragma once

#include <compare>
#include <cstdint>

#include "sim/core/time.h"

namespace deepsim {

// A count of bytes. Double, because model sizes (671e9 params x 12 B) and per-token fractions both occur;
// integral counts up to 2^53 are exact.
class Bytes {
 public:
  constexpr Bytes() = default;
  constexpr explicit Bytes(double v) : v_(v) {}
  [[nodiscard]] constexpr double value() const { return v_; }
  [[nodiscard]] constexpr double gb() const { return v_ / 1e9; }
  [[nodiscard]] constexpr double gib() const { return v_ / (1024.0 * 1024.0 * 1024.0); }
  constexpr auto operator<=>(const Bytes&) const = default;
  constexpr Bytes& operator+=(Bytes o) { v_ += o.v_; return *this; }
  constexpr Bytes& operator-=(Bytes o) { v_ -= o.v_; return *this; }
  friend constexpr Bytes operator+(Bytes a, Bytes b) { return Bytes(a.v_ + b.v_); }
  friend constexpr Bytes operator-(Bytes a, Bytes b) { return Bytes(a.v_ - b.v_); }
  friend constexpr Bytes operator*(Bytes a, double k) { return Bytes(a.v_ * k); }
  friend constexpr Bytes operator*(double k, Bytes a) { return Bytes(a.v_ * k); }
  friend constexpr Bytes operator/(Bytes a, double k) { return Bytes(a.v_ / k); }
  friend constexpr double operator/(Bytes a, Bytes b) { return a.v_ / b.v_; }

 private:
  double v_ = 0;
};

// Bytes per second.
class Bandwidth {
 public:
  constexpr Bandwidth() = default;
  [[nodiscard]] static constexpr Bandwidth bytes_per_s(double v) { return Bandwidth(v); }
  [[nodiscard]] static constexpr Bandwidth gb_per_s(double v) { return Bandwidth(v * 1e9); }
  // Network line rates are quoted in bits: 400 Gb/s = 50 GB/s.
  [[nodiscard]] static constexpr Bandwidth gbit_per_s(double v) { return Bandwidth(v * 1e9 / 8.0); }
  [[nodiscard]] constexpr double bytes_per_s() const { return v_; }
  [[nodiscard]] constexpr double gb_per_s() const { return v_ / 1e9; }
  constexpr auto operator<=>(const Bandwidth&) const = default;
  friend constexpr Bandwidth operator*(Bandwidth a, double k) { return Bandwidth(a.v_ * k); }
  friend constexpr Bandwidth operator*(double k, Bandwidth a) { return Bandwidth(a.v_ * k); }
  friend constexpr Bandwidth operator/(Bandwidth a, double k) { return Bandwidth(a.v_ / k); }
  friend constexpr Bandwidth operator+(Bandwidth a, Bandwidth b) { return Bandwidth(a.v_ + b.v_); }
  friend constexpr Bandwidth operator-(Bandwidth a, Bandwidth b) { return Bandwidth(a.v_ - b.v_); }
  friend constexpr double operator/(Bandwidth a, Bandwidth b) { return a.v_ / b.v_; }

 private:
  constexpr explicit Bandwidth(double v) : v_(v) {}
  double v_ = 0;
};

// A count of floating-point operations (a multiply-add counts 2).
class Flops {
 public:
  constexpr Flops() = default;
  constexpr explicit Flops(double v) : v_(v) {}
  [[nodiscard]] constexpr double value() const { return v_; }
  constexpr auto operator<=>(const Flops&) const = default;
  constexpr Flops& operator+=(Flops o) { v_ += o.v_; return *this; }
  friend constexpr Flops operator+(Flops a, Flops b) { return Flops(a.v_ + b.v_); }
  friend constexpr Flops operator-(Flops a, Flops b) { return Flops(a.v_ - b.v_); }
  friend constexpr Flops operator*(Flops a, double k) { return Flops(a.v_ * k); }
  friend constexpr Flops operator*(double k, Flops a) { return Flops(a.v_ * k); }
  friend constexpr Flops operator/(Flops a, double k) { return Flops(a.v_ / k); }
  friend constexpr double operator/(Flops a, Flops b) { return a.v_ / b.v_; }

 private:
  double v_ = 0;
};

// FLOP per second.
class FlopRate {
 public:
  constexpr FlopRate() = default;
  [[nodiscard]] static constexpr FlopRate per_s(double v) { return FlopRate(v); }
  [[nodiscard]] static constexpr FlopRate tflops(double v) { return FlopRate(v * 1e12); }
  [[nodiscard]] constexpr double per_s() const { return v_; }
  [[nodiscard]] constexpr double tflops() const { return v_ / 1e12; }
  constexpr auto operator<=>(const FlopRate&) const = default;
  friend constexpr FlopRate operator*(FlopRate a, double k) { return FlopRate(a.v_ * k); }
  friend constexpr FlopRate operator*(double k, FlopRate a) { return FlopRate(a.v_ * k); }
  friend constexpr double operator/(FlopRate a, FlopRate b) { return a.v_ / b.v_; }

 private:
  constexpr explicit FlopRate(double v) : v_(v) {}
  double v_ = 0;
};

// The only places where quantities become time.
[[nodiscard]] inline Time transfer_time(Bytes b, Bandwidth bw) { return Time::from_seconds_ceil(b.value() / bw.bytes_per_s()); }
[[nodiscard]] inline Time compute_time(Flops f, FlopRate r) { return Time::from_seconds_ceil(f.value() / r.per_s()); }
[[nodiscard]] inline Bandwidth operator/(Bytes b, Time t) { return Bandwidth::bytes_per_s(b.value() / t.seconds()); }
[[nodiscard]] inline FlopRate operator/(Flops f, Time t) { return FlopRate::per_s(f.value() / t.seconds()); }

namespace literals {
constexpr Bytes operator""_B(unsigned long long v) { return Bytes(static_cast<double>(v)); }
constexpr Bytes operator""_KB(unsigned long long v) { return Bytes(static_cast<double>(v) * 1e3); }
constexpr Bytes operator""_MB(unsigned long long v) { return Bytes(static_cast<double>(v) * 1e6); }
constexpr Bytes operator""_GB(unsigned long long v) { return Bytes(static_cast<double>(v) * 1e9); }
constexpr Bytes operator""_KiB(unsigned long long v) { return Bytes(static_cast<double>(v) * 1024.0); }
constexpr Bytes operator""_MiB(unsigned long long v) { return Bytes(static_cast<double>(v) * 1048576.0); }
constexpr Bytes operator""_GiB(unsigned long long v) { return Bytes(static_cast<double>(v) * 1073741824.0); }
constexpr Bandwidth operator""_GBps(unsigned long long v) { return Bandwidth::gb_per_s(static_cast<double>(v)); }
constexpr Bandwidth operator""_GBps(long double v) { return Bandwidth::gb_per_s(static_cast<double>(v)); }
constexpr Bandwidth operator""_Gbps(unsigned long long v) { return Bandwidth::gbit_per_s(static_cast<double>(v)); }
constexpr FlopRate operator""_TFLOPS(unsigned long long v) { return FlopRate::tflops(static_cast<double>(v)); }
constexpr FlopRate operator""_TFLOPS(long double v) { return FlopRate::tflops(static_cast<double>(v)); }
}  // namespace literals

}  // namespace deepsim
