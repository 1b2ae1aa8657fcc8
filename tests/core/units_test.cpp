#include <gtest/gtest.h>

#include "sim/core/format.h"
#include "sim/core/units.h"

namespace deepsim {
namespace {
using namespace literals;

TEST(Time, LiteralsAgreeWithEachOther) {
  EXPECT_EQ(1_s, 1000_ms);
  EXPECT_EQ(1_ms, 1000_us);
  EXPECT_EQ(1_us, 1000_ns);
  EXPECT_EQ(1_ns, 1000_ps);
  EXPECT_EQ((3_us).count_ps(), 3'000'000);
}

TEST(Time, FromSecondsRoundsToNearestPicosecondAndCeilRoundsUp) {
  EXPECT_EQ(Time::from_seconds(1.5e-12).count_ps(), 2);
  EXPECT_EQ(Time::from_seconds(1.4e-12).count_ps(), 1);
  EXPECT_EQ(Time::from_seconds_ceil(1.1e-12).count_ps(), 2);
}

TEST(Units, TransferTimeIsBytesOverBandwidth) {
  // 50 GB over 50 GB/s is exactly one second.
  EXPECT_EQ(transfer_time(50_GB, 50_GBps), 1_s);
  // 400 Gb/s is 50 GB/s.
  EXPECT_DOUBLE_EQ((400_Gbps).gb_per_s(), 50.0);
}

TEST(Units, ComputeTimeIsFlopsOverRate) {
  // 2 * 4096^3 FLOP at 1000 TFLOP/s = 137.438953472 us.
  const Flops f(2.0 * 4096.0 * 4096.0 * 4096.0);
  EXPECT_EQ(compute_time(f, 1000_TFLOPS).count_ps(), 137'438'954);
}

TEST(Format, RendersUnits) {
  EXPECT_EQ(format_time(1500_us), "1.500 ms");
  EXPECT_EQ(format_bytes(70272_B), "70.27 kB");
  EXPECT_EQ(format_count(671.03e9), "671.03B");
}

}  // namespace
}  // namespace deepsim
