// The batch ramp as whole steps (batch_ramp.h), against hand calculations.
#include "sim/forecast/batch_ramp.h"

#include <gtest/gtest.h>

namespace deepsim {
namespace {

// b0 = 4, b1 = 12 sequences, u = 2, L = 1000 tokens, T_r = 32,000, K = 2, T = 100,000.
//  interval 0: [0, 16000), midpoint 8000: b = 4 + 8 x 8000/32000 = 6 -> B = 6 (3 units).
//    steps = ceil(16000 / 6000) = 3; trained 18,000 (the third step runs past the boundary).
//  interval 1: [16000, 32000), midpoint 24000: b = 4 + 8 x 0.75 = 10 -> B = 10.
//    steps = ceil((32000 - 18000) / 10000) = 2; trained 38,000.
//  tail: ceil((100000 - 38000) / 12000) = ceil(5.17) = 6 steps of 12; trained 110,000.
TEST(BatchRamp, HandCalculation) {
  const auto blocks = ramp_blocks({4, 12, 32000, 100000, 1000, 2, 2});
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].batch_sequences, 6);
  EXPECT_EQ(blocks[0].steps, 3);
  EXPECT_EQ(blocks[0].tokens, 18000);
  EXPECT_EQ(blocks[0].level, 0);
  EXPECT_EQ(blocks[1].batch_sequences, 10);
  EXPECT_EQ(blocks[1].steps, 2);
  EXPECT_EQ(blocks[1].level, 1);
  EXPECT_EQ(blocks[2].batch_sequences, 12);
  EXPECT_EQ(blocks[2].steps, 6);
  EXPECT_EQ(blocks[2].level, -1);
  EXPECT_EQ(blocks[0].tokens + blocks[1].tokens + blocks[2].tokens, 110000);
}

// Midpoint batches are rounded to whole units: b0 = 3, b1 = 9, u = 4, K = 1: midpoint b = 6 -> 4 x round(1.5)
// = 8 (round half away from zero). T_r = 8000, L = 100: ceil(8000 / 800) = 10 steps.
TEST(BatchRamp, LevelsRoundToWholeMicroBatchUnits) {
  const auto blocks = ramp_blocks({3, 9, 8000, 8000, 100, 1, 4});
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].batch_sequences, 8);
  EXPECT_EQ(blocks[0].steps, 10);
}

TEST(BatchRamp, NoRampIsOneBlock) {
  // ceil(1e6 / (64 x 4096)) = ceil(3.81) = 4 steps.
  const auto blocks = ramp_blocks({0, 64, 0, 1e6, 4096, 8, 8});
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].steps, 4);
  EXPECT_EQ(blocks[0].level, -1);
}

// DeepSeek-V3: 3072 -> 15360 over 469B tokens at 4K. The continuous ramp takes
//   469e9 / (4096 x 12288) x ln 5 = 9318.03 x 1.6094379 = 14997.05 steps.
// K = 8 midpoint levels (3840, 5376, ..., 14592; all multiples of 128) give
//   sum_k ceil-stepping of 58.625B tokens each = 14909 steps (hand sum of 58.625e9 / (B_k x 4096): 14907.7,
//   plus the whole-step rounding at each boundary).
TEST(BatchRamp, DeepSeekRampAgainstTheContinuousForm) {
  EXPECT_NEAR(continuous_ramp_steps(3072, 15360, 469e9, 4096), 14997.05, 0.01);
  const auto blocks = ramp_blocks({3072, 15360, 469e9, 14.8e12, 4096, 8, 128});
  std::int64_t ramp = 0;
  for (const auto& b : blocks)
    if (b.level >= 0) ramp += b.steps;
  EXPECT_EQ(ramp, 14909);
  // Finer levels approach the continuous ramp (unit 1 so rounding does not interfere).
  std::int64_t fine = 0;
  for (const auto& b : ramp_blocks({3072, 15360, 469e9, 469e9, 4096, 4096, 1})) fine += b.steps;
  EXPECT_NEAR(static_cast<double>(fine), 14997.05, 0.004 * 14997.05);
}

}  // namespace
}  // namespace deepsim
