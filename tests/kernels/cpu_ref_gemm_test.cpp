// CPU tests (they run everywhere) of the FP64 reference GEMMs, and of the FP8 error model the GPU GEMM tests
// rely on: the FP64 GEMM of the dequantised operands stays within E4M3's unit roundoff (relative Frobenius)
// of the GEMM of the unquantised operands, for the 1x128 x 128x128 (Fprop/Dgrad) and 1x128 x 1x128 (Wgrad)
// recipes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "fp8_test_util.h"
#include "kernel_test_util.h"
#include "kernels/cpu_ref_gemm.h"
#include "kernels/cpu_ref_quant.h"

namespace deepsim::kernels {
namespace {

std::vector<double> naive_nt(const std::vector<float>& a, const std::vector<float>& b, int m, int n, int k) {
  std::vector<double> c(static_cast<std::size_t>(m) * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0.0;
      for (int p = 0; p < k; ++p) s += static_cast<double>(a[static_cast<std::size_t>(i) * k + p]) * b[static_cast<std::size_t>(j) * k + p];
      c[static_cast<std::size_t>(i) * n + j] = s;
    }
  return c;
}

TEST(GemmReference, MatchesNaiveTripleLoop) {
  std::mt19937 rng(21);
  struct Shape {
    int m, n, k;
  };
  for (const Shape s : {Shape{1, 1, 1}, Shape{17, 33, 129}, Shape{130, 7, 300}, Shape{40, 384, 128}}) {
    const auto a = test::random_vector(static_cast<std::size_t>(s.m) * s.k, rng);
    const auto b = test::random_vector(static_cast<std::size_t>(s.n) * s.k, rng);
    const auto got = gemm_nt_reference(a, b, s.m, s.n, s.k);
    const auto want = naive_nt(a, b, s.m, s.n, s.k);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(got[i], want[i]);  // same summation order
  }
}

TEST(GemmReference, GroupedEqualsPerGroupGemms) {
  std::mt19937 rng(22);
  const int n = 48, k = 256;
  const std::vector<int> offsets = {0, 0, 1, 130, 130, 300, 301};  // empty, 1-row, ragged and empty experts
  const int groups = static_cast<int>(offsets.size()) - 1;
  const auto a = test::random_vector(static_cast<std::size_t>(offsets.back()) * k, rng);
  const auto b = test::random_vector(static_cast<std::size_t>(groups) * n * k, rng);
  const auto got = grouped_gemm_nt_reference(a, b, offsets, n, k);
  for (int g = 0; g < groups; ++g) {
    const int rows = offsets[g + 1] - offsets[g];
    if (rows == 0) continue;
    const std::vector<float> ag(a.begin() + static_cast<long>(offsets[g]) * k, a.begin() + static_cast<long>(offsets[g + 1]) * k);
    const std::vector<float> bg(b.begin() + static_cast<long>(g) * n * k, b.begin() + static_cast<long>(g + 1) * n * k);
    const auto want = naive_nt(ag, bg, rows, n, k);
    for (int i = 0; i < rows * n; ++i) EXPECT_DOUBLE_EQ(got[static_cast<std::size_t>(offsets[g]) * n + i], want[i]);
  }
}

TEST(GemmReference, TransposeIsAnInvolution) {
  std::mt19937 rng(23);
  const auto x = test::random_vector(7 * 13, rng);
  const auto t = transpose_reference(x, 7, 13);
  EXPECT_EQ(t[static_cast<std::size_t>(4) * 7 + 2], x[static_cast<std::size_t>(2) * 13 + 4]);
  EXPECT_EQ(transpose_reference(t, 13, 7), x);
}

TEST(Fp8ErrorModel, DequantisedGemmWithinE4m3RoundoffOfExactGemm) {
  std::mt19937 rng(24);
  struct Shape {
    int tokens, in, out;
  };
  for (const Shape s : {Shape{64, 128, 256}, Shape{200, 384, 640}, Shape{129, 1024, 128}}) {
    const auto x = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.tokens) * s.in, rng));
    const auto w = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.out) * s.in, rng));
    const auto dy = test::round_bf16(test::random_vector(static_cast<std::size_t>(s.tokens) * s.out, rng));
    for (const bool pow2 : {false, true}) {
      // Fprop: Y = X W^T with X 1x128, W 128x128.
      const auto xq = dequantize_1x128_reference(quantize_1x128_reference(x, s.tokens, s.in, pow2), s.tokens, s.in);
      const auto wq = dequantize_128x128_reference(quantize_128x128_reference(w, s.out, s.in, pow2, false), s.out, s.in);
      const auto y_exact = gemm_nt_reference(x, w, s.tokens, s.out, s.in);
      const auto y_q = gemm_nt_reference(xq, wq, s.tokens, s.out, s.in);
      const double e_fprop = test::rel_frobenius(std::vector<float>(y_q.begin(), y_q.end()), y_exact);
      EXPECT_LT(e_fprop, test::kE4m3UnitRoundoff) << "fprop " << s.tokens << "x" << s.in << "x" << s.out;
      EXPECT_GT(e_fprop, 1e-3) << "quantisation should be visible";  // guards against a no-op quantiser
      // Wgrad: dW = dY^T X with both operands 1x128 along tokens.
      const auto dyt = quantize_1x128_transposed_reference(dy, s.tokens, s.out, pow2);
      const auto xt = quantize_1x128_transposed_reference(x, s.tokens, s.in, pow2);
      const auto dyt_deq = dequantize_1x128_reference(dyt, s.out, s.tokens);
      const auto xt_deq = dequantize_1x128_reference(xt, s.in, s.tokens);
      const auto dw_exact = gemm_nt_reference(transpose_reference(dy, s.tokens, s.out), transpose_reference(x, s.tokens, s.in),
                                              s.out, s.in, s.tokens);
      const auto dw_q = gemm_nt_reference(dyt_deq, xt_deq, s.out, s.in, s.tokens);
      const double e_wgrad = test::rel_frobenius(std::vector<float>(dw_q.begin(), dw_q.end()), dw_exact);
      EXPECT_LT(e_wgrad, test::kE4m3UnitRoundoff) << "wgrad";
      const std::string tag = std::to_string(s.tokens) + "x" + std::to_string(s.in) + "x" + std::to_string(s.out) + (pow2 ? "_pow2" : "");
      RecordProperty("fprop_rel_err_" + tag, std::to_string(e_fprop));  // shown in --gtest_output=xml
      RecordProperty("wgrad_rel_err_" + tag, std::to_string(e_wgrad));
    }
  }
}

}  // namespace
}  // namespace deepsim::kernels
