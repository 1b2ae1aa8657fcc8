// Durations for people: three significant digits, the unit that fits, no exponent, no "0.000 ns".
#include "cmdline/duration_text.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cmdline/number_arg.h"
#include "cmdline/command_line.h"

namespace deepsim::cmdline {
namespace {

TEST(DurationText, PicksTheUnitAndThreeDigits) {
  EXPECT_EQ(duration_text_ms(930.0), "930 ms");  // deepsim-exec printed "9.3e+02 ms"
  EXPECT_EQ(duration_text(0.0), "0 s");
  EXPECT_EQ(duration_text(1.25), "1.25 s");
  EXPECT_EQ(duration_text(12.4e-6), "12.4 us");
  EXPECT_EQ(duration_text(3e-9), "3.00 ns");
  EXPECT_EQ(duration_text(0.9996), "1.00 s");  // not "1000 ms"
  EXPECT_EQ(duration_text(600.0), "10.0 min");
  EXPECT_EQ(duration_text(3 * 86400.0), "3.00 days");
  EXPECT_EQ(duration_text(std::nan("")), "n/a");
}

TEST(NumberArg, DoublesAreStrictAndFinite) {
  EXPECT_DOUBLE_EQ(parse_double("2e3", "x", 0, 1e4), 2000.0);
  EXPECT_DOUBLE_EQ(parse_double("+0.5", "x", 0, 1), 0.5);
  for (const char* bad : {"nan", "inf", "1e400", "2x", "", "5"}) EXPECT_THROW((void)parse_double(bad, "x", 0, 4), UsageError) << bad;
}

TEST(NumberArg, IntegersNameTheirBoundsAndOverflow) {
  EXPECT_EQ(parse_int("+8", "x", 1, 8), 8);
  EXPECT_EQ(parse_int("-3", "x", -5, 0), -3);
  EXPECT_THROW((void)parse_int("99999999999999999999", "x", 1, 8), UsageError);
  try {
    (void)parse_int("1e30", "deepsim model --seq-len", 1, 100);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "deepsim model --seq-len: expected an integer in 1..100, got '1e30' (hint: write the integer in full "
              "digits, e.g. 4096)");
  }
}

}  // namespace
}  // namespace deepsim::cmdline
