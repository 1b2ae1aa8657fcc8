// Helpers for the FP8 quantisation/GEMM tests: error bounds derived from E4M3's 3 mantissa bits, a relative
// Frobenius error on FP64 references, and conversions between DeviceBuffer contents and host vectors.
#pragma once

#include <cuda_bf16.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace deepsim::kernels::test {

// Unit roundoff of E4M3 (3 mantissa bits): a value rounded to nearest is off by at most 2^-4 of itself
// (normal range). Used as the bound on FP8 GEMM vs the unquantised FP64 reference: each operand's rounding
// error is at most u relative and, for independent random data, has RMS <= u/sqrt(3) relative; two operands
// add in quadrature, sqrt(2/3) u ~ 0.82 u < u, so the relative Frobenius error of C stays below u.
inline constexpr double kE4m3UnitRoundoff = 0.0625;
// FP8 GEMM vs the FP64 reference on the *dequantised* operands: only accumulation and output rounding remain.
// BF16 output: one rounding, <= 2^-9 ~ 2e-3 relative per element, plus the tensor cores' ~14-bit accumulator
// within each 128-block (R17); 4e-3 leaves 2x margin. FP32 output: the accumulator alone, ~1e-4; bound 1e-3.
inline constexpr double kFp8GemmBf16OutTol = 4e-3;
inline constexpr double kFp8GemmFp32OutTol = 1e-3;
// BF16 GEMM (inputs already bf16 values) vs FP64: output rounding plus FP32 accumulation, same 4e-3 / 1e-4.
inline constexpr double kBf16GemmBf16OutTol = 4e-3;

// ||got - ref||_F / ||ref||_F in FP64; infinite if got holds a non-finite value (e.g. unwritten NaN poison).
inline double rel_frobenius(const std::vector<float>& got, const std::vector<double>& ref) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    const double d = got[i] - ref[i];
    num += d * d;
    den += ref[i] * ref[i];
  }
  return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

inline std::vector<float> bf16_bits_to_float(const std::vector<__nv_bfloat16>& v) {
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = __bfloat162float(v[i]);
  return out;
}

}  // namespace deepsim::kernels::test
