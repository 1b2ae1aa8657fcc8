// Training FLOPs per token, term by term against a hand calculation (docs/model.md has the formula).
#include "sim/model/flops_per_token.h"

#include <gtest/gtest.h>

#include "sim/model/layer_ops.h"
#include "sim/model/stage_assignment.h"
#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;

TEST(FlopsPerToken, DeepSeekV3TermByTermAt4K) {
  const FlopsPerToken f = flops_per_token(preset("deepseek-v3"), 4096, /*causal=*/true);
  // attn_proj: 2 * 187,105,280 MLA weights * 61 layers = 22,826,844,160.
  EXPECT_DOUBLE_EQ(f.attn_proj.value(), 2.0 * 187'105'280 * 61);
  // attn_scores: per layer 2 * 128 heads * (d_qk 192 + d_v 128) * 4096/2 keys seen (causal) = 167,772,160;
  // x 61 = 10,234,101,760.
  EXPECT_DOUBLE_EQ(f.attn_scores.value(), 2.0 * 128 * (192 + 128) * 2048 * 61);
  // dense_ffn: 2 * 3 * 7168 * 18432 * 3 layers = 2,378,170,368.
  EXPECT_DOUBLE_EQ(f.dense_ffn.value(), 2.0 * 3 * 7168 * 18432 * 3);
  // routed: 2 * 8 experts * 3 * 7168 * 2048 * 58 layers = 40,869,298,176; shared: the same with 1 expert.
  EXPECT_DOUBLE_EQ(f.routed_experts.value(), 2.0 * 8 * 3 * 7168 * 2048 * 58);
  EXPECT_DOUBLE_EQ(f.shared_experts.value(), 2.0 * 1 * 3 * 7168 * 2048 * 58);
  // router: 2 * 256 * 7168 * 58 = 212,860,928; head: 2 * 129280 * 7168 = 1,853,358,080.
  EXPECT_DOUBLE_EQ(f.router.value(), 2.0 * 256 * 7168 * 58);
  EXPECT_DOUBLE_EQ(f.head.value(), 2.0 * 129280 * 7168);
  // Forward sum 83,483,295,744; training = 3x = 250,449,887,232 FLOPs per token (~250 GFLOP).
  EXPECT_DOUBLE_EQ(f.forward().value(), 83'483'295'744.0);
  EXPECT_DOUBLE_EQ(f.training().value(), 3.0 * 83'483'295'744.0);
}

TEST(FlopsPerToken, NonCausalCountsTheWholeScoreMatrix) {
  const ModelSpec m = preset("deepseek-v3");
  const FlopsPerToken causal = flops_per_token(m, 4096, true);
  const FlopsPerToken full = flops_per_token(m, 4096, false);
  // Every key instead of half of them: the score term doubles, nothing else moves.
  EXPECT_DOUBLE_EQ(full.attn_scores.value(), 2 * causal.attn_scores.value());
  EXPECT_DOUBLE_EQ((full.forward() - full.attn_scores).value(), (causal.forward() - causal.attn_scores).value());
}

TEST(FlopsPerToken, DeepSeekV3MtpAddsProjectionBlockAndHead) {
  const FlopsPerToken f = flops_per_token(preset("deepseek-v3"), 4096, true);
  // eh_proj 2 * 2*7168 * 7168, one MoE layer (2 * 187,105,280 + scores 167,772,160 + 9 experts
  // 2 * 9 * 44,040,192 + router 2 * 256 * 7168), and a second head pass 2 * 129280 * 7168.
  const double layer = 2.0 * 187'105'280 + 2.0 * 128 * 320 * 2048 + 2.0 * 9 * 44'040'192 + 2.0 * 256 * 7168;
  EXPECT_DOUBLE_EQ(f.mtp.value(), 2.0 * 2 * 7168 * 7168 + layer + 2.0 * 129280 * 7168);
  EXPECT_DOUBLE_EQ(f.forward_with_mtp().value(), f.forward().value() + f.mtp.value());
}

TEST(FlopsPerToken, Llama405BIsSixNPlusAttention) {
  const FlopsPerToken f = flops_per_token(preset("llama-3.1-405b"), 8192, true);
  // Non-embedding matmul weights: 126 * (570,425,344 + 2,617,245,696) + head 128256 * 16384; attention
  // per layer 2 * 128 * (128 + 128) * 8192/2. Training = 6 N + 3 * attention.
  const double n = 126.0 * (570'425'344.0 + 2'617'245'696.0) + 128256.0 * 16384;
  const double attn = 126.0 * 2 * 128 * 256 * 4096;
  EXPECT_DOUBLE_EQ(f.training().value(), 6 * n + 3 * attn);
}

TEST(FlopsPerToken, EqualsTheMatmulAndAttentionOpsOfAStepForOneToken) {
  // The op list and the closed formula must agree: forward FLOPs of all GEMM, router and attention ops
  // of a one-stage model for one 4K sequence, divided by its tokens (norms, SwiGLU, loss excluded).
  for (const char* name : {"deepseek-v3", "deepseek-v2", "qwen2.5-72b"}) {
    const ModelSpec m = preset(name);
    const OpContext c{.tokens = 4096, .seq_len = 4096, .tp = 1, .precision = Precision::kFp8};
    double fwd = 0;
    for (const Op& op : stage_ops(m, assign_layers(m, 1).front(), c))
      if (op.is_matmul() || op.kind == OpKind::kAttention) fwd += op.fwd.value();
    EXPECT_NEAR(fwd / 4096, flops_per_token(m, 4096).forward_with_mtp().value(), 1e-9 * fwd / 4096) << name;
  }
}

}  // namespace
}  // namespace deepsim
