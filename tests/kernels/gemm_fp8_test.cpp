// GPU tests of the cuBLASLt block-scaled FP8 GEMM (Fprop, Dgrad, Wgrad; BF16 and FP32 output) and the BF16 GEMM.
// Operands are quantised by the CPU references (so only the GEMM is under test) from fresh random BF16 data;
// outputs are NaN-poisoned first. Two checks per run (bounds in fp8_test_util.h):
//   vs the FP64 GEMM of the dequantised operands: relative Frobenius <= 4e-3 (BF16 out) / 1e-3 (FP32 out);
//   vs the FP64 GEMM of the unquantised operands: relative Frobenius <= 2^-4 (E4M3 unit roundoff).
// Shapes cover M = 1 and M not a multiple of 128, K = 128, N odd multiples of 128 (384, 640).
#include <cuda_bf16.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "fp8_test_util.h"
#include "gpu_test_support.h"
#include "kernel_test_util.h"
#include "kernels/cpu_ref_gemm.h"
#include "kernels/cpu_ref_quant.h"
#include "kernels/device_buffer.h"
#include "kernels/fp8_quant.h"
#include "kernels/gemm_cublaslt.h"

namespace deepsim::kernels {
namespace {


struct Shape {
  int tokens, in, out;
};
constexpr Shape kShapes[] = {{1, 256, 384}, {64, 128, 384}, {200, 384, 640}, {129, 512, 128}};

// Codes and scales of one operand on the device.
struct DeviceFp8 {
  DeviceBuffer<std::uint8_t> q;
  DeviceBuffer<float> scale;
  explicit DeviceFp8(const Fp8Quantized& t) : q(t.q), scale(t.scale) {}
};

// Pads each of `rows` rows of codes from `cols` to `ld` bytes with zero codes (Wgrad's token padding).
Fp8Quantized pad_rows(const Fp8Quantized& t, int rows, int cols, int ld) {
  Fp8Quantized p{std::vector<std::uint8_t>(static_cast<std::size_t>(rows) * ld, 0), t.scale};
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) p.q[static_cast<std::size_t>(r) * ld + c] = t.q[static_cast<std::size_t>(r) * cols + c];
  return p;
}

std::vector<float> run_gemm(CublasLtGemm& gemm, Fp8GemmParams p) {
  const std::size_t count = static_cast<std::size_t>(p.m) * p.n;
  if (p.out_type == GemmOutType::kBf16) {
    DeviceBuffer<__nv_bfloat16> c(count);
    c.fill_bytes(0xFF);
    p.c = c.data();
    gemm.fp8(p, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    return test::bf16_bits_to_float(c.download());
  }
  DeviceBuffer<float> c(count);
  c.fill_bytes(0xFF);
  p.c = c.data();
  gemm.fp8(p, nullptr);
  DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
  return c.download();
}

void expect_close(const std::vector<float>& got, const std::vector<double>& ref_deq, const std::vector<double>& ref_exact,
                  GemmOutType out, const std::string& what) {
  const double tol = out == GemmOutType::kBf16 ? test::kFp8GemmBf16OutTol : test::kFp8GemmFp32OutTol;
  EXPECT_LE(test::rel_frobenius(got, ref_deq), tol) << what << " vs dequantised-input reference";
  EXPECT_LE(test::rel_frobenius(got, ref_exact), test::kE4m3UnitRoundoff) << what << " vs unquantised reference";
}

TEST(Fp8GemmGpu, FpropDgradWgradMatchReference) {
  DEEPSIM_REQUIRE_GPU();
  CublasLtGemm gemm;
  std::mt19937 rng(51);
  for (const Shape s : kShapes) {
    const auto x = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.tokens) * s.in, rng));
    const auto w = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.out) * s.in, rng));
    const auto dy = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.tokens) * s.out, rng));
    const auto xq = quantize_1x128_reference(x, s.tokens, s.in, false);
    const auto wq = quantize_128x128_reference(w, s.out, s.in, false, false);
    const auto wtq = quantize_128x128_reference(w, s.out, s.in, false, true);
    const auto dyq = quantize_1x128_reference(dy, s.tokens, s.out, false);
    const auto dytq = quantize_1x128_transposed_reference(dy, s.tokens, s.out, false);
    const auto xtq = quantize_1x128_transposed_reference(x, s.tokens, s.in, false);
    const int tp = static_cast<int>(fp8_wgrad_padded_tokens(s.tokens));
    DeviceFp8 d_x(xq), d_w(wq), d_wt(wtq), d_dy(dyq);
    DeviceFp8 d_dyt(pad_rows(dytq, s.out, s.tokens, tp)), d_xt(pad_rows(xtq, s.in, s.tokens, tp));

    const auto wt = transpose_reference(w, s.out, s.in);
    const auto y_exact = gemm_nt_reference(x, w, s.tokens, s.out, s.in);
    const auto y_deq = gemm_nt_reference(dequantize_1x128_reference(xq, s.tokens, s.in),
                                         dequantize_128x128_reference(wq, s.out, s.in), s.tokens, s.out, s.in);
    const auto dx_exact = gemm_nt_reference(dy, wt, s.tokens, s.in, s.out);
    const auto dx_deq = gemm_nt_reference(dequantize_1x128_reference(dyq, s.tokens, s.out),
                                          dequantize_128x128_reference(wtq, s.in, s.out), s.tokens, s.in, s.out);
    const auto dw_exact = gemm_nt_reference(transpose_reference(dy, s.tokens, s.out), transpose_reference(x, s.tokens, s.in),
                                            s.out, s.in, s.tokens);
    const auto dw_deq = gemm_nt_reference(dequantize_1x128_reference(dytq, s.out, s.tokens),
                                          dequantize_1x128_reference(xtq, s.in, s.tokens), s.out, s.in, s.tokens);
    const std::string shape = std::to_string(s.tokens) + "x" + std::to_string(s.in) + "x" + std::to_string(s.out);
    for (const GemmOutType out : {GemmOutType::kBf16, GemmOutType::kFp32}) {
      const std::string tag = shape + (out == GemmOutType::kBf16 ? " bf16" : " fp32");
      expect_close(run_gemm(gemm, fp8_fprop_params(d_x.q.data(), d_x.scale.data(), d_w.q.data(), d_w.scale.data(),
                                                   nullptr, out, s.tokens, s.in, s.out)),
                   y_deq, y_exact, out, "fprop " + tag);
      expect_close(run_gemm(gemm, fp8_dgrad_params(d_dy.q.data(), d_dy.scale.data(), d_wt.q.data(), d_wt.scale.data(),
                                                   nullptr, out, s.tokens, s.in, s.out)),
                   dx_deq, dx_exact, out, "dgrad " + tag);
      expect_close(run_gemm(gemm, fp8_wgrad_params(d_dyt.q.data(), d_dyt.scale.data(), d_xt.q.data(), d_xt.scale.data(),
                                                   nullptr, out, tp, s.in, s.out)),
                   dw_deq, dw_exact, out, "wgrad " + tag);
    }
  }
}

TEST(Fp8GemmGpu, AlgorithmCacheHitsOnRepeatedShape) {
  DEEPSIM_REQUIRE_GPU();
  CublasLtGemm gemm;
  std::mt19937 rng(52);
  const Shape s{128, 256, 384};
  const auto x = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.tokens) * s.in, rng));
  const auto w = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.out) * s.in, rng));
  DeviceFp8 d_x(quantize_1x128_reference(x, s.tokens, s.in, false)), d_w(quantize_128x128_reference(w, s.out, s.in, false, false));
  const auto p = fp8_fprop_params(d_x.q.data(), d_x.scale.data(), d_w.q.data(), d_w.scale.data(), nullptr,
                                  GemmOutType::kBf16, s.tokens, s.in, s.out);
  const auto first = run_gemm(gemm, p);
  EXPECT_EQ(gemm.cache().size(), 1u);
  const auto second = run_gemm(gemm, p);
  EXPECT_EQ(gemm.cache().size(), 1u);
  EXPECT_GE(gemm.cache().hits(), 1);
  EXPECT_EQ(first, second);  // same algorithm, same inputs: bitwise identical
}

TEST(Fp8GemmGpu, RejectsUnalignedK) {
  DEEPSIM_REQUIRE_GPU();
  CublasLtGemm gemm;
  DeviceBuffer<std::uint8_t> q(64 * 64);
  DeviceBuffer<float> scale(64);
  DeviceBuffer<float> c(64 * 64);
  auto p = fp8_fprop_params(q.data(), scale.data(), q.data(), scale.data(), c.data(), GemmOutType::kFp32, 8, 40, 64);
  EXPECT_THROW(gemm.fp8(p, nullptr), std::invalid_argument);
}

TEST(Bf16GemmGpu, MatchesReference) {
  DEEPSIM_REQUIRE_GPU();
  CublasLtGemm gemm;
  std::mt19937 rng(53);
  for (const Shape s : kShapes) {
    const auto a = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.tokens) * s.in, rng));
    const auto b = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.out) * s.in, rng));
    const auto ref = gemm_nt_reference(a, b, s.tokens, s.out, s.in);
    DeviceBuffer<__nv_bfloat16> d_a(test::to_bf16(a)), d_b(test::to_bf16(b)), c(ref.size());
    c.fill_bytes(0xFF);
    Bf16GemmParams p;
    p.a = d_a.data();
    p.b = d_b.data();
    p.c = c.data();
    p.lda = s.in;
    p.ldb = s.in;
    p.ldc = s.out;
    p.m = s.tokens;
    p.n = s.out;
    p.k = s.in;
    gemm.bf16(p, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    EXPECT_LE(test::rel_frobenius(test::bf16_bits_to_float(c.download()), ref), test::kBf16GemmBf16OutTol)
        << s.tokens << "x" << s.in << "x" << s.out;
  }
}

}  // namespace
}  // namespace deepsim::kernels
