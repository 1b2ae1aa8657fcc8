#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/core/rng.h"

namespace deepsim {
namespace {

TEST(Rng, SameSeedSameStreamDifferentSeedDifferentStream) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    if (i == 0) {
      EXPECT_NE(x, c.next_u64());
    }
  }
}

TEST(Rng, ForksAreStableAndIndependentOfTheParentsPosition) {
  Rng parent(7);
  const Rng f1 = parent.fork("routing");
  (void)parent.next_u64();  // advancing the parent does not change its forks: they derive from the seed
  Rng f1_again = parent.fork("routing");
  Rng f1_copy = f1;
  EXPECT_EQ(f1_copy.next_u64(), f1_again.next_u64());
  Rng other = parent.fork("placement");
  Rng f1_copy2 = f1;
  EXPECT_NE(f1_copy2.next_u64(), other.next_u64());
}

TEST(Rng, UniformIsInUnitIntervalWithTheRightMean) {
  Rng r(1);
  double sum = 0;
  constexpr int kN = 200000;
  for (int i = 0; i < kN; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  // Mean 1/2, standard error sqrt(1/12 / N) = 6.5e-4; allow 5 standard errors.
  EXPECT_NEAR(sum / kN, 0.5, 5 * std::sqrt(1.0 / 12.0 / kN));
}

TEST(Rng, BelowIsUnbiasedOverSmallRange) {
  Rng r(3);
  std::vector<int> counts(6);
  constexpr int kN = 60000;
  for (int i = 0; i < kN; ++i) ++counts[static_cast<std::size_t>(r.below(6))];
  // Each face expects 10000 with sd sqrt(N p (1-p)) = 91; 5 sd.
  for (int c : counts) EXPECT_NEAR(c, 10000, 5 * 91.3);
}

TEST(Rng, BelowIsTheHighWordOfTheDrawTimesN) {
  // Lemire's multiply-shift: below(n) = floor(x n / 2^64) for the engine's next word x, unless the low
  // word falls in the rejected sliver of width 2^64 mod n (chance < n / 2^64: never for these n).
  for (const std::uint64_t n : {2ULL, 6ULL, 1000ULL, 0x7fffffffULL}) {
    Rng a(99), b(99);
    for (int i = 0; i < 1000; ++i) {
      const std::uint64_t x = b.next_u64();
      const std::uint64_t hi = static_cast<std::uint64_t>((static_cast<__uint128_t>(x) * n) >> 64);
      ASSERT_EQ(a.below(n), hi) << "n " << n << " draw " << i;
    }
  }
}

TEST(Rng, BelowIsUnbiasedOverAHugeRange) {
  // n = 3 x 2^62 is not a power of two: the low words below 2^64 mod n = 2^62 are rejected (a quarter
  // of the draws), which keeps the values uniform: mean n/2 up to 1/(2n).
  Rng r(5);
  const std::uint64_t n = 3ULL << 62;
  constexpr int kN = 100000;
  double sum = 0;
  for (int i = 0; i < kN; ++i) {
    const std::uint64_t v = r.below(n);
    ASSERT_LT(v, n);
    sum += static_cast<double>(v) / static_cast<double>(n);
  }
  // Mean 1/2, standard error sqrt(1/12 / N) = 9.1e-4; allow 5 standard errors.
  EXPECT_NEAR(sum / kN, 0.5, 5 * std::sqrt(1.0 / 12.0 / kN));
}

TEST(Rng, NormalAndGammaMoments) {
  Rng r(11);
  constexpr int kN = 100000;
  double s = 0, s2 = 0, g = 0;
  for (int i = 0; i < kN; ++i) {
    const double x = r.normal();
    s += x;
    s2 += x * x;
    g += r.gamma(2.5);  // Gamma(k) has mean k
  }
  EXPECT_NEAR(s / kN, 0.0, 5 / std::sqrt(kN));
  EXPECT_NEAR(s2 / kN, 1.0, 0.02);
  // Var(Gamma(2.5)) = 2.5: standard error of the mean sqrt(2.5 / N) = 0.005.
  EXPECT_NEAR(g / kN, 2.5, 5 * 0.005);
}

}  // namespace
}  // namespace deepsim
