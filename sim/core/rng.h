// The one random-number source: seeded from the scenario, identical streams on every platform.
// std::uniform_real_distribution and friends are implementation-defined, so the draws below are written
// out on top of std::mt19937_64 (whose sequence the standard fixes) to keep output byte-identical.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace deepsim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed), seed_(seed) {}
  // An independent stream for a named purpose ("routing", "layer 7"): same seed, same stream.
  [[nodiscard]] Rng fork(std::string_view purpose) const;
  [[nodiscard]] Rng fork(std::uint64_t index) const;

  [[nodiscard]] std::uint64_t next_u64() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  [[nodiscard]] double uniform();
  [[nodiscard]] double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), unbiased (Lemire's multiply-shift with rejection; no division per draw).
  [[nodiscard]] std::uint64_t below(std::uint64_t n);
  // Standard normal (Box-Muller, cached second value not kept so draws stay independent of call order).
  [[nodiscard]] double normal();
  // Gamma(shape, 1) by Marsaglia-Tsang; used for Dirichlet draws.
  [[nodiscard]] double gamma(double shape);

  [[nodiscard]] std::uint64_t seed() const { return seed_; }

 private:
  Rng(std::uint64_t seed, bool) : engine_(seed), seed_(seed) {}
  std::mt19937_64 engine_;
  std::uint64_t seed_ = 0;
};

// 64-bit mix (splitmix64 finaliser); used for deterministic hashing (ECMP, forks).
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace deepsim
