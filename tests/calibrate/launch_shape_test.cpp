// Shapes from launch configurations: flash attention's grid and template arguments in DeepSeek's trace
// (no CPU-op shapes there), FlashAttention-2's form, the work counted as deepsim's attention op counts
// it, and the names that give nothing.
#include "calibrate/src/launch_shape.h"

#include <gtest/gtest.h>

#include <string>

#include "calibrate/src/kineto_trace.h"

namespace deepsim::calib {
namespace {

const std::string kExcerpt = std::string(DEEPSIM_SOURCE_DIR) + "/tests/calibrate/data/dpsk-train-layer-pair.json";

TEST(LaunchShape, DeepSeeksFlashAttentionKernelsGiveV3sAttentionShape) {
  const KinetoTrace t = read_kineto_trace(kExcerpt);
  int fwd = 0, bwd = 0;
  for (const KinetoKernel& k : t.kernels) {
    const auto a = attention_launch(k.name, k.grid);
    if (!a) continue;
    // V3 on one GPU with TP1: 128 heads, one 4096-token sequence, d_qk = 128 + 64, d_v = 128, causal.
    EXPECT_EQ(a->seq_len, 4096) << k.name;
    EXPECT_EQ(a->heads * a->batch, 128);
    EXPECT_EQ(a->d_qk, 192);
    EXPECT_EQ(a->d_v, 128);
    EXPECT_TRUE(a->causal);
    (a->backward ? bwd : fwd) += 1;
    EXPECT_EQ(a->backward, k.kernel_class == "attention_bwd") << k.name;
  }
  EXPECT_EQ(fwd, 1);
  EXPECT_EQ(bwd, 1);  // the backward's pre- and post-processing kernels carry no shape
}

TEST(LaunchShape, WorkIsDeepsimsAttentionOp) {
  AttentionLaunch a{false, 4096, 128, 1, 192, 128, true};
  // Causal: half the S x S pairs; forward QK^T and PV, backward QK^T again, dV, dP, dQ, dK.
  const double pairs = 4096.0 * 4096.0 * 128 / 2;
  EXPECT_DOUBLE_EQ(attention_work(a).flops.value(), 2 * pairs * (192 + 128));
  EXPECT_EQ(attention_work(a).family, OpFamily::kAttentionFwd);
  a.backward = true;
  EXPECT_DOUBLE_EQ(attention_work(a).flops.value(), 2 * pairs * (3 * 192 + 2 * 128));
  EXPECT_EQ(attention_work(a).family, OpFamily::kAttentionBwd);
  a.causal = false;
  EXPECT_DOUBLE_EQ(attention_work(a).flops.value(), 4 * pairs * (3 * 192 + 2 * 128));
}

TEST(LaunchShape, ImportedTraceCarriesTheShapesAsFitSamples) {
  const KinetoTrace t = read_kineto_trace(kExcerpt);
  int from_launch = 0;
  for (const KinetoKernel& k : t.kernels) from_launch += k.shape_from_launch ? 1 : 0;
  EXPECT_EQ(from_launch, 2);
  int attention = 0;
  for (const KernelSample& s : samples_from_kineto(t)) {
    if (s.op.family != OpFamily::kAttentionFwd && s.op.family != OpFamily::kAttentionBwd) continue;
    ++attention;
    // The kernels ran on the 112 SMs DeepEP leaves: 839 TFLOPS of BF16 peak. Measured 550 and 500.
    const double tflops = s.op.flops.value() / s.time.seconds() / 1e12;
    EXPECT_GT(tflops, 400) << s.origin;
    EXPECT_LT(tflops, 839) << s.origin;
  }
  EXPECT_EQ(attention, 2);
}

TEST(LaunchShape, FlashAttentionTwosGridIsTilesBatchHeads) {
  const std::string name =
      "void flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, cutlass::half_t, "
      "Flash_kernel_traits<128, 128, 64, 4, cutlass::half_t> >, false, true, false, false, true, true, false>"
      "(Flash_fwd_params)";
  const auto a = attention_launch(name, {16, 4, 32});
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->seq_len, 2048);
  EXPECT_EQ(a->batch, 4);
  EXPECT_EQ(a->heads, 32);
  EXPECT_EQ(a->d_qk, 128);
  EXPECT_EQ(a->d_v, 128);
  EXPECT_TRUE(a->causal);
  EXPECT_FALSE(a->backward);
}

TEST(LaunchShape, OtherKernelsGiveNothing) {
  EXPECT_FALSE(attention_launch("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64", {32, 2, 1}));
  EXPECT_FALSE(attention_launch("void cutlass::device_kernel<flash::FlashAttnBwdPreprocess<cute::tuple<cute::C<64>, "
                                "cute::C<192> >, cute::tuple<cute::C<64>, cute::C<128> >, cutlass::bfloat16_t, float, "
                                "cutlass::arch::Sm90, true, true> >",
                                {64, 128, 1}));
  EXPECT_FALSE(attention_launch("void flash::compute_attn_ws<Flash_fwd_kernel_traits<192, 128, 128, 12, 2, false, 1, "
                                "cutlass::bfloat16_t, 128>, true, flash::SingleTileScheduler>",
                                {0, 128, 1}));  // an empty grid
}

}  // namespace
}  // namespace deepsim::calib
