// Time's arithmetic is checked: past int64 picoseconds (about 106 days) it throws TimeOverflow instead
// of wrapping (undefined behaviour, which UBSan caught on a very slow GPU override at seq 65536).
#include "sim/core/time.h"

#include <gtest/gtest.h>

#include <limits>

namespace deepsim {
namespace {

TEST(TimeOverflow, AddSubtractAndMultiplyThrowPastTheRange) {
  const Time big = Time::max() - Time::ps(5);
  EXPECT_EQ((big + Time::ps(5)).count_ps(), std::numeric_limits<Time::rep>::max());
  EXPECT_THROW((void)(big + Time::ps(6)), TimeOverflow);
  Time t = big;
  EXPECT_THROW(t += Time::ms(1), TimeOverflow);
  EXPECT_THROW((void)(Time::zero() - Time::max() - Time::ps(2)), TimeOverflow);
  EXPECT_THROW((void)(Time::ms(1) * (Time::rep{1} << 40)), TimeOverflow);
  EXPECT_THROW((void)Time::ms(Time::rep{1} << 40), TimeOverflow);
  EXPECT_EQ((Time::ms(1) * 1000).seconds(), 1.0);
}

TEST(TimeOverflow, SecondsPastTheRangeOrNotANumberThrow) {
  // 106 days is about 9.2e6 s: 1e7 s does not fit, 1e6 s does.
  EXPECT_EQ(Time::from_seconds(1e6).seconds(), 1e6);
  EXPECT_THROW((void)Time::from_seconds(1e7), TimeOverflow);
  EXPECT_THROW((void)Time::from_seconds_ceil(-1e7), TimeOverflow);
  EXPECT_THROW((void)Time::from_seconds(std::numeric_limits<double>::quiet_NaN()), TimeOverflow);
}

}  // namespace
}  // namespace deepsim
