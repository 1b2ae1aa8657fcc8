// CPU tests (they run everywhere) of Wgrad's K padding: the executor rounds the token count up to whole
// 128-token scale blocks (fp8_wgrad_padded_tokens) because cuBLASLt documents its 1x128 scale mode for whole
// K blocks only. The padded operands are the transposed 1x128 quantiser's codes with zero codes in the tail;
// the scales it wrote for ceil(T/128) blocks already cover the padded K. The FP64 product of the padded,
// dequantised operands equals the unpadded one exactly (the tail adds exact zeros).
#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <stdexcept>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/cpu_ref_gemm.h"
#include "kernels/cpu_ref_quant.h"
#include "kernels/fp8_quant.h"
#include "kernels/gemm_cublaslt.h"

namespace deepsim::kernels {
namespace {

// The operand [rows][tokens] (codes) padded to [rows][tp] with zero codes; scales as the quantiser wrote them.
Fp8Quantized pad_codes(const Fp8Quantized& t, int rows, int tokens, int tp) {
  Fp8Quantized p{std::vector<std::uint8_t>(static_cast<std::size_t>(rows) * tp, 0), t.scale};
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < tokens; ++c)
      p.q[static_cast<std::size_t>(r) * tp + c] = t.q[static_cast<std::size_t>(r) * tokens + c];
  return p;
}

TEST(Fp8WgradPadding, PaddedTokensAreWholeScaleBlocks) {
  for (const long t : {1L, 16L, 127L, 128L, 129L, 200L, 255L, 256L, 4095L, 4096L, 4097L}) {
    const long tp = fp8_wgrad_padded_tokens(t);
    EXPECT_EQ(tp % 128, 0) << t;
    EXPECT_GE(tp, t) << t;
    EXPECT_LT(tp - t, 128) << t;
    // Padding never adds a scale block: the quantiser's ceil(T/128) blocks cover all of K.
    EXPECT_EQ(ceil_div(tp, kFp8Block), ceil_div(t, kFp8Block)) << t;
    EXPECT_EQ(scale_count_1x128(64, tp), scale_count_1x128(64, t)) << t;
  }
}

TEST(Fp8WgradPadding, WgradParamsRefuseKNotAMultipleOf128) {
  alignas(16) static std::uint8_t codes[16];
  alignas(16) static float scales[4];
  // 200 tokens padded to 16 (the old rule) is 208: not whole scale blocks.
  EXPECT_THROW((void)fp8_wgrad_params(codes, scales, codes, scales, codes, GemmOutType::kFp32, 208, 128, 128),
               std::invalid_argument);
  EXPECT_THROW((void)fp8_wgrad_params(codes, scales, codes, scales, codes, GemmOutType::kFp32, 0, 128, 128),
               std::invalid_argument);
  const Fp8GemmParams p = fp8_wgrad_params(codes, scales, codes, scales, codes, GemmOutType::kFp32,
                                           static_cast<int>(fp8_wgrad_padded_tokens(200)), 128, 384);
  EXPECT_EQ(p.k, 256);
  EXPECT_EQ(p.a.ld, 256);  // dY^T rows are K-contiguous with the padded stride
  EXPECT_EQ(p.m, 384);
  EXPECT_EQ(p.n, 128);
}

TEST(Fp8WgradPadding, ZeroTailLeavesTheProductUnchanged) {
  std::mt19937 rng(77);
  for (const int tokens : {1, 100, 129, 200}) {
    const int out = 128;
    const int in = 256;
    const int tp = static_cast<int>(fp8_wgrad_padded_tokens(tokens));
    const auto x = test::random_vector(static_cast<std::size_t>(tokens) * in, rng);
    const auto dy = test::random_vector(static_cast<std::size_t>(tokens) * out, rng);
    const auto dyt = quantize_1x128_transposed_reference(dy, tokens, out, false);
    const auto xt = quantize_1x128_transposed_reference(x, tokens, in, false);
    const auto dw = gemm_nt_reference(dequantize_1x128_reference(dyt, out, tokens), dequantize_1x128_reference(xt, in, tokens),
                                      out, in, tokens);
    const auto dyt_p = pad_codes(dyt, out, tokens, tp);
    const auto xt_p = pad_codes(xt, in, tokens, tp);
    const auto dyt_deq = dequantize_1x128_reference(dyt_p, out, tp);
    const auto xt_deq = dequantize_1x128_reference(xt_p, in, tp);
    for (int r = 0; r < out; ++r)
      for (int c = tokens; c < tp; ++c) ASSERT_EQ(dyt_deq[static_cast<std::size_t>(r) * tp + c], 0.0f);
    const auto dw_p = gemm_nt_reference(dyt_deq, xt_deq, out, in, tp);
    ASSERT_EQ(dw_p.size(), dw.size());
    for (std::size_t i = 0; i < dw.size(); ++i) ASSERT_EQ(dw_p[i], dw[i]) << tokens << " tokens, element " << i;
  }
}

}  // namespace
}  // namespace deepsim::kernels
