// Parameter counts against the published totals. Every expected component is rebuilt here from the
// config values (reference R8 and each model's config.json), so a wrong formula in count_params shows.
#include "sim/model/param_count.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;
using i64 = std::int64_t;

TEST(ParamCount, DeepSeekV3ComponentsByHand) {
  const ParamCount c = count_params(preset("deepseek-v3"));
  // MLA per layer: q_a 7168*1536 + q_b 1536*128*(128+64) + kv_a 7168*(512+64) + kv_b 512*128*(128+128)
  // + o 128*128*7168 = 11,010,048 + 37,748,736 + 4,128,768 + 16,777,216 + 117,440,512 = 187,105,280.
  const i64 mla = 7168LL * 1536 + 1536LL * 128 * 192 + 7168LL * 576 + 512LL * 128 * 256 + 128LL * 128 * 7168;
  EXPECT_EQ(mla, 187'105'280);
  EXPECT_EQ(c.attention, 61 * mla);
  EXPECT_EQ(c.dense_ffn, 3 * (3LL * 7168 * 18432));        // 3 dense layers, SwiGLU 3 matrices
  const i64 expert = 3LL * 7168 * 2048;                      // 44,040,192
  EXPECT_EQ(c.routed_experts, 58 * 256 * expert);            // 58 MoE layers
  EXPECT_EQ(c.shared_experts, 58 * 1 * expert);
  EXPECT_EQ(c.router, 58 * (256LL * 7168 + 256));            // gate + e_score_correction_bias
  // Norms: per layer attn + ffn (2*7168) + q_a_norm 1536 + kv_a_norm 512; plus the final norm.
  EXPECT_EQ(c.norms, 61 * (2 * 7168 + 1536 + 512) + 7168);
  EXPECT_EQ(c.embedding, 129280LL * 7168);
  EXPECT_EQ(c.output_head, 129280LL * 7168);
}

TEST(ParamCount, DeepSeekV3Is671BWithout14BOfMtp) {
  const ParamCount c = count_params(preset("deepseek-v3"));
  // TR abstract: 671B total. The sum of the components above is 671,026,419,200.
  EXPECT_NEAR(static_cast<double>(c.total()), 671.0e9, 0.1e9);
  // MTP module: hnorm + enorm (2*7168) + eh_proj 2*7168*7168 + one MoE layer (187,107,328 attention with
  // its norms, 257 experts, router, 2 norms) + the shared head's norm 7168 = 11,610,068,224 (11.6B). The
  // published 685B (671B + "14B" MTP) also counts the embedding and head copies stored with the MTP
  // weights (2 * 926,679,040): 11.61 + 1.85 = 13.46B ~ 14B; here they are shared, counted once.
  const i64 moe_layer = 187'105'280 + 2 * 7168 + 1536 + 512 + 257 * (3LL * 7168 * 2048) + 256LL * 7168 + 256;
  EXPECT_EQ(c.mtp, 2 * 7168 + 2LL * 7168 * 7168 + moe_layer + 7168);
  EXPECT_NEAR(static_cast<double>(c.mtp + 2 * c.embedding), 14e9, 0.6e9);
}

TEST(ParamCount, DeepSeekV3Activates37B) {
  const ParamCount c = count_params(preset("deepseek-v3"));
  // Activated = everything dense (embedding, head, attention, dense FFN, router, norms) + per MoE layer
  // 8 routed + 1 shared expert: total - 58 * (256 - 8) * 44,040,192 = 37,552,297,472. The TR's "37B" is
  // this figure truncated to whole billions (it counts embedding and head, as its 671B does); without the
  // embedding (a lookup, not a matmul) it would be 36.6B. Tolerance: [37.0B, 38.0B).
  EXPECT_EQ(c.activated, c.total() - 58LL * (256 - 8) * (3LL * 7168 * 2048));
  EXPECT_GE(c.activated, 37'000'000'000);
  EXPECT_LT(c.activated, 38'000'000'000);
  EXPECT_NEAR(static_cast<double>(c.activated), 37.55e9, 0.01e9);
  // The MTP module activates its own part: total minus the 256 - 8 idle experts.
  EXPECT_EQ(c.activated_mtp, c.mtp - (256 - 8) * (3LL * 7168 * 2048));
}

TEST(ParamCount, DeepSeekV2Is236BWith21BActive) {
  const ParamCount c = count_params(preset("deepseek-v2"));
  // V2 paper: 236B total, 21B activated. By hand: MLA 5120*1536 + 1536*128*192 + 5120*576 + 512*128*256
  // + 128*128*5120 = 149,225,472 per layer x 60; 1 dense layer 3*5120*12288; 59 MoE layers of 162 experts
  // of 3*5120*1536 = 23,592,960 and a 160*5120 gate; embedding + head 2 * 102400 * 5120 -> 235.74B.
  // Activated: 6 routed + 2 shared experts per MoE layer -> 21.38B. Tolerance 0.5B on both (the
  // published figures are rounded to whole billions).
  const i64 expert = 3LL * 5120 * 1536;
  EXPECT_EQ(c.attention, 60 * (5120LL * 1536 + 1536LL * 128 * 192 + 5120LL * 576 + 512LL * 128 * 256 +
                               128LL * 128 * 5120));
  EXPECT_EQ(c.routed_experts, 59 * 160 * expert);
  EXPECT_EQ(c.router, 59 * 160LL * 5120);  // softmax gating, no score bias
  EXPECT_NEAR(static_cast<double>(c.total()), 236e9, 0.5e9);
  EXPECT_NEAR(static_cast<double>(c.activated), 21e9, 0.5e9);
  EXPECT_EQ(c.mtp, 0);
}

TEST(ParamCount, Llama405B) {
  const ParamCount c = count_params(preset("llama-3.1-405b"));
  // Per layer: q 16384^2, k and v 16384*8*128 each, o 16384^2 = 570,425,344; FFN 3*16384*53248 =
  // 2,617,245,696; 126 layers; embedding and untied head 128256*16384 each -> 405,853,388,800 (the
  // published "405B"). Tolerance 1B.
  EXPECT_EQ(c.attention, 126 * (2 * 16384LL * 16384 + 2 * 16384LL * 1024));
  EXPECT_EQ(c.dense_ffn, 126 * 3LL * 16384 * 53248);
  EXPECT_NEAR(static_cast<double>(c.total()), 405e9, 1e9);
  EXPECT_EQ(c.activated, c.total());  // dense: every parameter is active
}

TEST(ParamCount, Qwen72BIncludingQkvBiases) {
  const ParamCount c = count_params(preset("qwen2.5-72b"));
  // Per layer: q 8192^2 + k, v 8192*1024 each + o 8192^2 + q/k/v biases (8192 + 2*1024); FFN
  // 3*8192*29568; 80 layers; embedding + head 2 * 152064 * 8192 -> 72,706,203,648 (published 72.7B).
  EXPECT_EQ(c.attention, 80 * (2 * 8192LL * 8192 + 2 * 8192LL * 1024 + 8192 + 2 * 1024));
  EXPECT_NEAR(static_cast<double>(c.total()), 72.7e9, 0.05e9);
}

}  // namespace
}  // namespace deepsim
