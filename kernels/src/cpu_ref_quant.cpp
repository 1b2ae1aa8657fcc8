// CPU references for FP8 quantisation (cpu_ref_quant.h). The encoder works in double, where every float and
// every rounding step below is exact, so the only rounding is the final RNE to 3 mantissa bits.
#include "kernels/cpu_ref_quant.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include "kernels/fp8_quant.h"

namespace deepsim::kernels {
namespace {

constexpr int kMantissaBits = 3;
constexpr int kExponentBias = 7;
constexpr int kMinNormalExponent = 1 - kExponentBias;                        // 2^-6
constexpr int kSubnormalQuantumExp = kMinNormalExponent - kMantissaBits;     // 2^-9
constexpr std::uint8_t kMaxFiniteCode = 0x7E;                                // 0.1111.110 = 448
constexpr std::uint8_t kNanCode = 0x7F;
constexpr std::uint8_t kSignBit = 0x80;

std::size_t at(long r, long c, long ld) { return static_cast<std::size_t>(r) * static_cast<std::size_t>(ld) + static_cast<std::size_t>(c); }

void check_shape(const std::vector<float>& x, int rows, int cols, const char* who) {
  if (rows < 0 || cols < 0 || x.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
    throw std::invalid_argument(std::string(who) + ": x.size() != rows * cols");
}

}  // namespace

std::uint8_t e4m3_encode(float x) {
  if (std::isnan(x)) return kNanCode;
  const std::uint8_t sign = std::signbit(x) ? kSignBit : 0;
  const double a = std::fabs(static_cast<double>(x));
  if (a >= static_cast<double>(kE4m3Max)) return sign | kMaxFiniteCode;  // SATFINITE (also +-inf)
  if (a < std::ldexp(1.0, kMinNormalExponent)) {
    // Subnormal range: a multiple of 2^-9; m == 8 rounds up into the smallest normal, whose code is also 8.
    const double m = std::nearbyint(std::ldexp(a, -kSubnormalQuantumExp));
    return static_cast<std::uint8_t>(sign | static_cast<std::uint8_t>(m));
  }
  int e2 = 0;
  (void)std::frexp(a, &e2);  // a = f 2^e2, f in [0.5, 1)
  int e = e2 - 1;            // a = 1.m 2^e
  double m = std::nearbyint((std::ldexp(a, -e) - 1.0) * (1 << kMantissaBits));
  if (m == (1 << kMantissaBits)) {
    m = 0.0;
    ++e;
  }
  const int biased = e + kExponentBias;
  const auto code = static_cast<std::uint8_t>((biased << kMantissaBits) | static_cast<int>(m));
  return sign | std::min(code, kMaxFiniteCode);  // a < 448 never rounds past 0x7E; the min is a guard
}

float e4m3_decode(std::uint8_t code) {
  const int exponent = (code >> kMantissaBits) & 0xF;
  const int mantissa = code & 0x7;
  if (exponent == 0xF && mantissa == 0x7) return std::numeric_limits<float>::quiet_NaN();
  const double v = exponent == 0 ? std::ldexp(static_cast<double>(mantissa), kSubnormalQuantumExp)
                                 : std::ldexp(1.0 + mantissa / 8.0, exponent - kExponentBias);
  return static_cast<float>((code & kSignBit) ? -v : v);
}

Fp8Quantized quantize_1x128_reference(const std::vector<float>& x, int rows, int cols, bool pow2) {
  check_shape(x, rows, cols, "quantize_1x128_reference");
  const long kblocks = ceil_div(cols, kFp8Block);
  Fp8Quantized t{std::vector<std::uint8_t>(x.size()), std::vector<float>(static_cast<std::size_t>(scale_count_1x128(rows, cols)))};
  for (long r = 0; r < rows; ++r) {
    for (long kb = 0; kb < kblocks; ++kb) {
      const long c0 = kb * kFp8Block;
      const long c1 = std::min<long>(c0 + kFp8Block, cols);
      float amax = 0.f;
      for (long c = c0; c < c1; ++c) amax = std::max(amax, std::fabs(x[at(r, c, cols)]));
      const float s = fp8_block_scale(amax, pow2);
      t.scale[at(kb, r, rows)] = s;
      for (long c = c0; c < c1; ++c) t.q[at(r, c, cols)] = e4m3_encode(x[at(r, c, cols)] / s);
    }
  }
  return t;
}

Fp8Quantized quantize_1x128_transposed_reference(const std::vector<float>& x, int rows, int cols, bool pow2) {
  check_shape(x, rows, cols, "quantize_1x128_transposed_reference");
  std::vector<float> xt(x.size());
  for (long r = 0; r < rows; ++r)
    for (long c = 0; c < cols; ++c) xt[at(c, r, rows)] = x[at(r, c, cols)];
  return quantize_1x128_reference(xt, cols, rows, pow2);
}

Fp8Quantized quantize_128x128_reference(const std::vector<float>& x, int rows, int cols, bool pow2,
                                        bool transpose_out) {
  check_shape(x, rows, cols, "quantize_128x128_reference");
  // Quantising W^T block by block gives W's codes transposed: work on the output operand directly.
  std::vector<float> src = x;
  long R = rows;
  long C = cols;
  if (transpose_out) {
    for (long r = 0; r < rows; ++r)
      for (long c = 0; c < cols; ++c) src[at(c, r, rows)] = x[at(r, c, cols)];
    std::swap(R, C);
  }
  const long ld = scale_ld_128x128(C);
  Fp8Quantized t{std::vector<std::uint8_t>(src.size()), std::vector<float>(static_cast<std::size_t>(scale_count_128x128(R, C)), 0.f)};
  for (long rb = 0; rb < ceil_div(R, kFp8Block); ++rb) {
    for (long cb = 0; cb < ceil_div(C, kFp8Block); ++cb) {
      const long r0 = rb * kFp8Block, r1 = std::min<long>(r0 + kFp8Block, R);
      const long c0 = cb * kFp8Block, c1 = std::min<long>(c0 + kFp8Block, C);
      float amax = 0.f;
      for (long r = r0; r < r1; ++r)
        for (long c = c0; c < c1; ++c) amax = std::max(amax, std::fabs(src[at(r, c, C)]));
      const float s = fp8_block_scale(amax, pow2);
      t.scale[at(rb, cb, ld)] = s;
      for (long r = r0; r < r1; ++r)
        for (long c = c0; c < c1; ++c) t.q[at(r, c, C)] = e4m3_encode(src[at(r, c, C)] / s);
    }
  }
  return t;
}

std::vector<float> dequantize_1x128_reference(const Fp8Quantized& t, int rows, int cols) {
  std::vector<float> out(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
  for (long r = 0; r < rows; ++r)
    for (long c = 0; c < cols; ++c)
      out[at(r, c, cols)] = e4m3_decode(t.q[at(r, c, cols)]) * t.scale[at(c / kFp8Block, r, rows)];
  return out;
}

std::vector<float> dequantize_128x128_reference(const Fp8Quantized& t, int rows, int cols) {
  const long ld = scale_ld_128x128(cols);
  std::vector<float> out(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
  for (long r = 0; r < rows; ++r)
    for (long c = 0; c < cols; ++c)
      out[at(r, c, cols)] = e4m3_decode(t.q[at(r, c, cols)]) * t.scale[at(r / kFp8Block, c / kFp8Block, ld)];
  return out;
}

}  // namespace deepsim::kernels
