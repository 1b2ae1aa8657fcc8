#include <gtest/gtest.h>

#include <cmath>
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
