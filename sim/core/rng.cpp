#include "sim/core/rng.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace deepsim {
namespace {
__extension__ using U128 = unsigned __int128;  // GCC/Clang; __extension__ keeps -Wpedantic quiet
}  // namespace

Rng Rng::fork(std::string_view purpose) const {
  // FNV-1a over the purpose, mixed with our seed: stable across platforms and runs.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : purpose) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return Rng(mix64(seed_ ^ h), true);
}

Rng Rng::fork(std::uint64_t index) const { return Rng(mix64(seed_ ^ mix64(index + 0x51ed2701)), true); }

double Rng::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

std::uint64_t Rng::below(std::uint64_t n) {
  if (n <= 1) return 0;
  // Lemire's multiply-shift ("Fast random integer generation in an interval", ACM TOMACS 2019): the
  // high 64 bits of x * n are uniform in [0, n) once the low bits' short first interval is rejected.
  // The modulo that sizes that interval runs only when the low bits land below n (chance n / 2^64), so
  // a draw is one multiply; the stream is as fixed as mt19937_64's, so results stay byte-identical.
  U128 m = static_cast<U128>(engine_()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (low < threshold) {
      m = static_cast<U128>(engine_()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double Rng::normal() {
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double Rng::gamma(double shape) {
  if (shape < 1.0) {
    // Boost: Gamma(a) = Gamma(a+1) * U^(1/a).
    const double u = uniform();
    return gamma(shape + 1.0) * std::pow(u > 0 ? u : 0x1.0p-53, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = normal();
    double v = 1.0 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace deepsim
