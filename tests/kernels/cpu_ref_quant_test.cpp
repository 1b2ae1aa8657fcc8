// CPU tests (they run everywhere) of the E4M3 emulation and the FP8 quantisation references: known codes,
// agreement with CUDA's own host conversions, round-trip error <= half an E4M3 ulp of the block scale, the
// power-of-two scale option, and the transposed / 128x128 layouts.
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/cpu_ref_gemm.h"
#include "kernels/cpu_ref_quant.h"
#include "kernels/fp8_quant.h"

namespace deepsim::kernels {
namespace {

std::uint8_t cuda_encode(float x) { return __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3); }
float cuda_decode(std::uint8_t c) { return __half2float(__half(__nv_cvt_fp8_to_halfraw(c, __NV_E4M3))); }

// Half an E4M3 ulp at |v| (v in units of the block scale): 2^(floor(log2 v) - 4) for normals, 2^-10 below 2^-6.
double half_ulp(double v) {
  v = std::fabs(v);
  if (v < std::ldexp(1.0, -6)) return std::ldexp(1.0, -10);
  return std::ldexp(1.0, static_cast<int>(std::floor(std::log2(v))) - 4);
}

// Rows with magnitudes spread over 2^-8 .. 2^8 so blocks get different scales (and small values go subnormal).
std::vector<float> spread_input(int rows, int cols, std::mt19937& rng) {
  auto x = test::random_vector(static_cast<std::size_t>(rows) * cols, rng);
  std::uniform_int_distribution<int> exp(-8, 8);
  for (int r = 0; r < rows; ++r) {
    const float m = std::ldexp(1.0f, exp(rng));
    for (int c = 0; c < cols; ++c) x[static_cast<std::size_t>(r) * cols + c] *= m;
  }
  return test::round_bf16(x);  // kernels read BF16
}

TEST(E4m3Emulation, KnownCodes) {
  EXPECT_EQ(e4m3_encode(0.0f), 0x00);
  EXPECT_EQ(e4m3_encode(-0.0f), 0x80);
  EXPECT_EQ(e4m3_encode(1.0f), 0x38);                 // exponent 7 (bias 7), mantissa 0
  EXPECT_EQ(e4m3_encode(448.0f), 0x7E);               // largest finite 1.75 * 2^8
  EXPECT_EQ(e4m3_encode(-448.0f), 0xFE);
  EXPECT_EQ(e4m3_encode(500.0f), 0x7E);               // SATFINITE
  EXPECT_EQ(e4m3_encode(INFINITY), 0x7E);
  EXPECT_EQ(e4m3_encode(-1e30f), 0xFE);
  EXPECT_EQ(e4m3_encode(NAN) & 0x7F, 0x7F);
  EXPECT_EQ(e4m3_encode(std::ldexp(1.0f, -9)), 0x01);        // smallest subnormal
  EXPECT_EQ(e4m3_encode(std::ldexp(1.0f, -10)), 0x00);       // tie between 0 and 2^-9 -> even (0)
  EXPECT_EQ(e4m3_encode(std::ldexp(3.0f, -11)), 0x01);       // 0.75 quantum -> 1
  EXPECT_EQ(e4m3_encode(std::ldexp(7.0f, -9)), 0x07);        // largest subnormal
  EXPECT_EQ(e4m3_encode(std::ldexp(1.0f, -6)), 0x08);        // smallest normal
  EXPECT_EQ(e4m3_encode(1.0f + 1.0f / 16), 0x38);            // tie between m=0 and m=1 -> even (m=0)
  EXPECT_EQ(e4m3_encode(1.0f + 3.0f / 16), 0x3A);            // tie between m=1 and m=2 -> even (m=2)
  EXPECT_EQ(e4m3_decode(0x7E), 448.0f);
  EXPECT_EQ(e4m3_decode(0x01), std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(e4m3_decode(0x7F)));
  EXPECT_TRUE(std::isnan(e4m3_decode(0xFF)));
}

TEST(E4m3Emulation, EveryCodeRoundTripsAndMatchesCudaDecode) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    const float v = e4m3_decode(code);
    if ((c & 0x7F) == 0x7F) {
      EXPECT_TRUE(std::isnan(cuda_decode(code)));
      continue;
    }
    EXPECT_EQ(v, cuda_decode(code)) << "code " << c;
    EXPECT_EQ(e4m3_encode(v), code) << "code " << c;
  }
}

TEST(E4m3Emulation, EncodeMatchesCudaHostConversion) {
  std::vector<float> xs;
  // Every code's value, the midpoints between neighbours (ties) and a hair either side of each midpoint.
  for (int c = 0; c < 0x7E; ++c) {
    const float lo = e4m3_decode(static_cast<std::uint8_t>(c)), hi = e4m3_decode(static_cast<std::uint8_t>(c + 1));
    const float mid = 0.5f * (lo + hi);
    for (float v : {lo, mid, std::nextafter(mid, 0.f), std::nextafter(mid, 1e9f)}) {
      xs.push_back(v);
      xs.push_back(-v);
    }
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> exponent(-14.f, 10.f);
  for (int i = 0; i < 200000; ++i) xs.push_back((i % 2 ? 1.f : -1.f) * std::exp2(exponent(rng)));
  for (float v : {460.f, 464.f, 470.f, 479.f, 480.f, 1e6f, 3.0e38f}) xs.push_back(v);
  for (const float x : xs) ASSERT_EQ(e4m3_encode(x), cuda_encode(x)) << "x = " << x;
}

TEST(Fp8BlockScale, AmaxOver448AndPowerOfTwoOption) {
  EXPECT_EQ(fp8_block_scale(0.f, false), 1.f);
  EXPECT_EQ(fp8_block_scale(0.f, true), 1.f);
  EXPECT_EQ(fp8_block_scale(448.f, false), 1.f);
  EXPECT_EQ(fp8_block_scale(448.f, true), 1.f);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> exponent(-20.f, 20.f);
  for (int i = 0; i < 10000; ++i) {
    const float amax = std::exp2(exponent(rng));
    EXPECT_EQ(fp8_block_scale(amax, false), amax / kE4m3Max);
    const float s = fp8_block_scale(amax, true);
    int e = 0;
    EXPECT_EQ(std::frexp(s, &e), 0.5f) << "not a power of two: " << s;
    EXPECT_GE(s, amax / kE4m3Max);
    EXPECT_LT(s, 2.f * amax / kE4m3Max);
  }
}

void expect_round_trip(const std::vector<float>& x, const std::vector<float>& deq, const std::vector<float>& scale_of,
                       const char* what) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double s = scale_of[i];
    ASSERT_LE(std::fabs(static_cast<double>(deq[i]) - x[i]), half_ulp(x[i] / s) * s * (1 + 1e-6))
        << what << " element " << i << " x " << x[i] << " scale " << s;
  }
}

TEST(Fp8QuantReference, OneByOneTwentyEightRoundTripWithinHalfUlp) {
  std::mt19937 rng(11);
  for (const bool pow2 : {false, true}) {
    for (const auto& [rows, cols] : {std::pair{1, 128}, std::pair{3, 100}, std::pair{17, 300}, std::pair{129, 256}}) {
      const auto x = spread_input(rows, cols, rng);
      const auto t = quantize_1x128_reference(x, rows, cols, pow2);
      ASSERT_EQ(t.scale.size(), static_cast<std::size_t>(scale_count_1x128(rows, cols)));
      const auto deq = dequantize_1x128_reference(t, rows, cols);
      std::vector<float> scale_of(x.size());
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
          scale_of[static_cast<std::size_t>(r) * cols + c] = t.scale[static_cast<std::size_t>(c / kFp8Block) * rows + r];
        }
      expect_round_trip(x, deq, scale_of, "1x128");
      // Each tile's largest element lands on +-448 (amax/448 scale) or within [224, 448] (power-of-two scale).
      for (int r = 0; r < rows; ++r)
        for (int kb = 0; kb * kFp8Block < cols; ++kb) {
          float amax = 0.f, qmax = 0.f;
          for (int c = kb * kFp8Block; c < std::min(cols, (kb + 1) * kFp8Block); ++c) {
            amax = std::max(amax, std::fabs(x[static_cast<std::size_t>(r) * cols + c]));
            qmax = std::max(qmax, std::fabs(e4m3_decode(t.q[static_cast<std::size_t>(r) * cols + c])));
          }
          if (pow2) {
            EXPECT_GE(qmax, 224.f);
            EXPECT_LE(qmax, 448.f);
          } else {
            EXPECT_EQ(qmax, 448.f);
          }
          EXPECT_EQ(t.scale[static_cast<std::size_t>(kb) * rows + r], fp8_block_scale(amax, pow2));
        }
    }
  }
}

TEST(Fp8QuantReference, TransposedQuantisesAlongRows) {
  std::mt19937 rng(12);
  const int rows = 200, cols = 40;  // 200 tokens: one full and one partial 128-token block
  const auto x = spread_input(rows, cols, rng);
  const auto t = quantize_1x128_transposed_reference(x, rows, cols, false);
  ASSERT_EQ(t.q.size(), x.size());
  ASSERT_EQ(t.scale.size(), static_cast<std::size_t>(2 * cols));
  for (int c = 0; c < cols; ++c)
    for (int rb = 0; rb < 2; ++rb) {
      float amax = 0.f;
      for (int r = rb * 128; r < std::min(rows, rb * 128 + 128); ++r) amax = std::max(amax, std::fabs(x[static_cast<std::size_t>(r) * cols + c]));
      EXPECT_EQ(t.scale[static_cast<std::size_t>(rb) * cols + c], amax / kE4m3Max);
      for (int r = rb * 128; r < std::min(rows, rb * 128 + 128); ++r)
        EXPECT_EQ(t.q[static_cast<std::size_t>(c) * rows + r], e4m3_encode(x[static_cast<std::size_t>(r) * cols + c] / (amax / kE4m3Max)));
    }
}

TEST(Fp8QuantReference, BlockQuantisationAndItsTranspose) {
  std::mt19937 rng(13);
  for (const auto& [rows, cols] : {std::pair{128, 128}, std::pair{200, 300}, std::pair{384, 640}}) {
    const auto x = spread_input(rows, cols, rng);
    const auto t = quantize_128x128_reference(x, rows, cols, false, false);
    const auto tt = quantize_128x128_reference(x, rows, cols, false, true);
    const long ld = scale_ld_128x128(cols), ldt = scale_ld_128x128(rows);
    ASSERT_EQ(ld % 4, 0);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        ASSERT_EQ(t.q[static_cast<std::size_t>(r) * cols + c], tt.q[static_cast<std::size_t>(c) * rows + r]);
    for (int rb = 0; rb * 128 < rows; ++rb)
      for (int cb = 0; cb * 128 < cols; ++cb)
        EXPECT_EQ(t.scale[static_cast<std::size_t>(rb * ld + cb)], tt.scale[static_cast<std::size_t>(cb * ldt + rb)]);
    const auto deq = dequantize_128x128_reference(t, rows, cols);
    std::vector<float> scale_of(x.size());
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) scale_of[static_cast<std::size_t>(r) * cols + c] = t.scale[static_cast<std::size_t>((r / 128) * ld + c / 128)];
    expect_round_trip(x, deq, scale_of, "128x128");
  }
}

TEST(Fp8QuantReference, DequantOfQuantIsAFixedPoint) {
  // Values already on an E4M3 grid come back unchanged: dequant(quant(dequant(quant(x)))) == dequant(quant(x)).
  // (The codes themselves may differ: rounding can lower a tile's amax past a power of two, halving the
  // power-of-two scale and shifting every exponent by one, which represents the same values exactly.)
  std::mt19937 rng(14);
  const int rows = 33, cols = 260;
  const auto x = spread_input(rows, cols, rng);
  for (const bool pow2 : {false, true}) {
    const auto deq = dequantize_1x128_reference(quantize_1x128_reference(x, rows, cols, pow2), rows, cols);
    if (pow2) {  // power-of-two scales: x / s is exact, so the second pass reproduces every value bit for bit
      EXPECT_EQ(dequantize_1x128_reference(quantize_1x128_reference(deq, rows, cols, pow2), rows, cols), deq);
    } else {  // amax/448 scales: the second pass re-rounds x / s', within half an ulp again
      const auto again = dequantize_1x128_reference(quantize_1x128_reference(deq, rows, cols, pow2), rows, cols);
      for (std::size_t i = 0; i < deq.size(); ++i) EXPECT_NEAR(again[i], deq[i], std::fabs(deq[i]) * 0.0625 + 1e-30);
    }
  }
}

}  // namespace
}  // namespace deepsim::kernels
