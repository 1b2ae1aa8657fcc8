// Counter-based deterministic random numbers for the executor: SplitMix64 mixing of (seed, stream ids), so
// every rank, step and micro-batch draws its own values without shared state (same seed, same run).
#pragma once

#include <cmath>
#include <cstdint>

namespace deepsim::runtime {

[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A hash of several ids into one 64-bit key.
[[nodiscard]] constexpr std::uint64_t mix_keys(std::uint64_t a, std::uint64_t b) { return splitmix64(a ^ splitmix64(b)); }

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  [[nodiscard]] std::uint64_t next_u64() { return splitmix64(state_++); }
  // Uniform in [0, 1) with 53 random bits.
  [[nodiscard]] double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n).
  [[nodiscard]] std::uint64_t below(std::uint64_t n) { return next_u64() % n; }
  // Standard normal (Box-Muller; one value per call keeps the stream position simple).
  [[nodiscard]] double normal() {
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t state_;
};

}  // namespace deepsim::runtime
