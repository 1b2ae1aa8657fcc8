// Shared helpers for the kernel tests: seeded random inputs (never zeros), host BF16 conversion, error
// metrics. Host-only; the GPU tests also use DeviceBuffer (kernels/device_buffer.h).
#pragma once

#include <cuda_bf16.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace deepsim::kernels::test {

// Uniform in [lo, hi]: with a continuous distribution no value is exactly zero in practice.
inline std::vector<float> random_vector(std::size_t n, std::mt19937& rng, float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

inline std::vector<__nv_bfloat16> to_bf16(const std::vector<float>& v) {
  std::vector<__nv_bfloat16> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = __float2bfloat16(v[i]);
  return out;
}

inline std::vector<float> to_float(const std::vector<__nv_bfloat16>& v) {
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = __bfloat162float(v[i]);
  return out;
}

// The values a BF16 tensor actually holds: references are fed these so only the kernel's error is measured.
inline std::vector<float> round_bf16(const std::vector<float>& v) { return to_float(to_bf16(v)); }

// ||got - ref||_2 / ||ref||_2 (FP64); infinite if got has a non-finite value (e.g. an unwritten NaN poison).
inline double rel_l2(const std::vector<float>& got, const std::vector<float>& ref) {
  double num = 0.0;
  double den = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    const double d = static_cast<double>(got[i]) - ref[i];
    num += d * d;
    den += static_cast<double>(ref[i]) * ref[i];
  }
  return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

inline double max_abs_diff(const std::vector<float>& got, const std::vector<float>& ref) {
  double m = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    m = std::fmax(m, std::fabs(static_cast<double>(got[i]) - ref[i]));
  }
  return m;
}

}  // namespace deepsim::kernels::test
