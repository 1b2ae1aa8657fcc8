#include "sim/core/format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "sim/core/rng.h"

namespace deepsim {
namespace {

std::string printf_fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Values whose decimal expansion is known: ties round to even on the exact binary value, as printf does.
TEST(Fixed, RoundsTheExactBinaryValueLikePrintf) {
  EXPECT_EQ(fixed(2.5, 0), "2");      // exact tie: to even
  EXPECT_EQ(fixed(3.5, 0), "4");
  EXPECT_EQ(fixed(0.125, 2), "0.12");  // 0.125 is exact in binary: a tie, to even
  EXPECT_EQ(fixed(0.375, 2), "0.38");
  EXPECT_EQ(fixed(0.1, 20), "0.10000000000000000555");  // the double nearest 0.1
  EXPECT_EQ(fixed(-0.001, 2), "-0.00");                  // the sign survives rounding to zero
  EXPECT_EQ(fixed(-0.0, 1), "-0.0");
  EXPECT_EQ(fixed(1e20, 0), "100000000000000000000");
  EXPECT_EQ(fixed(15.797, 3), "15.797");
}

// Reports and traces must not change by a byte: fixed() (std::to_chars) against printf's "%.*f" over
// random magnitudes and digit counts, and the values printf spells itself.
TEST(Fixed, SameTextAsPrintfEverywhere) {
  Rng rng(17);
  for (int i = 0; i < 20000; ++i) {
    const double mantissa = static_cast<double>(rng.below(1u << 30)) / static_cast<double>(1u << 30);
    const int exponent = static_cast<int>(rng.below(50)) - 25;
    const double v = (rng.below(2) == 0 ? 1 : -1) * mantissa * std::pow(10.0, exponent);
    const int digits = static_cast<int>(rng.below(10));
    ASSERT_EQ(fixed(v, digits), printf_fixed(v, digits)) << v << " " << digits;
  }
  for (const double v : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN(), 1e60, -1e300, std::numeric_limits<double>::denorm_min()})
    for (const int digits : {0, 2, 6})
      EXPECT_EQ(fixed(v, digits), printf_fixed(v, digits)) << v << " " << digits;
}

}  // namespace
}  // namespace deepsim
