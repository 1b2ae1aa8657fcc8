// The dense-model and Mixtral presets against their published parameter totals. Each expected count is
// rebuilt here from the config values (model cards, Narayanan et al. 2021 Table 1), so a wrong formula
// in count_params or a wrong preset field shows; the tolerance on each published figure is its rounding.
#include <gtest/gtest.h>

#include <cstdint>

#include "sim/model/param_count.h"
#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;
using i64 = std::int64_t;

// Llama-style layer: GQA with 8 KV heads of 128 (q and o are d x d), SwiGLU, two RMSNorm gains.
i64 llama_layer(i64 d, i64 ffn) {
  const i64 kv = 8 * 128;
  return d * d + 2 * d * kv + d * d + 3 * d * ffn + 2 * d;
}

TEST(DensePresets, Llama3_8BIs8_03B) {
  // meta-llama/Meta-Llama-3-8B: 32 layers, 4096 hidden, 32 heads, 8 KV heads, FFN 14336, vocab 128256,
  // untied. The model card's "8B" is 8,030,261,248 parameters in the released safetensors.
  const ParamCount c = count_params(preset("llama-3-8b"));
  const i64 expected = 32 * llama_layer(4096, 14336) + 2 * 128256LL * 4096 + 4096;
  EXPECT_EQ(expected, 8'030'261'248);
  EXPECT_EQ(c.total(), expected);
  EXPECT_EQ(c.activated, c.total());
}

TEST(DensePresets, Llama3_70BIs70_55B) {
  // meta-llama/Meta-Llama-3-70B: 80 layers, 8192 hidden, 64 heads, 8 KV heads, FFN 28672: 70,553,706,496
  // in the released weights ("70B" / 70.6B on the model card).
  const ParamCount c = count_params(preset("llama-3-70b"));
  const i64 expected = 80 * llama_layer(8192, 28672) + 2 * 128256LL * 8192 + 8192;
  EXPECT_EQ(expected, 70'553'706'496);
  EXPECT_EQ(c.total(), expected);
}

TEST(DensePresets, Mixtral8x7BIs46_7BWith12_9BActive) {
  // Mixtral of Experts (arXiv 2401.04088): "47B" total, 13B active; Mistral's announcement: 46.7B total,
  // 12.9B per token. Config: 32 layers, 4096, 8 experts of FFN 14336, top-2, vocab 32000.
  const ParamCount c = count_params(preset("mixtral-8x7b"));
  const i64 attn = 4096LL * 4096 * 2 + 2 * 4096LL * 1024;
  const i64 expert = 3 * 4096LL * 14336;
  EXPECT_EQ(c.attention, 32 * attn);
  EXPECT_EQ(c.routed_experts, 32 * 8 * expert);
  EXPECT_EQ(c.router, 32 * 8 * 4096LL);
  EXPECT_EQ(c.total(), 46'702'792'704);  // the released weights' count
  EXPECT_NEAR(static_cast<double>(c.total()), 46.7e9, 0.05e9);
  EXPECT_NEAR(static_cast<double>(c.activated), 12.9e9, 0.05e9);
  EXPECT_EQ(c.activated, c.total() - 32 * 6 * expert);
}

TEST(DensePresets, Mixtral8x22BIs141BWith39BActive) {
  // Mistral's announcement: 141B total, 39B active. Config: 56 layers, 6144, 48 heads, 8 KV heads,
  // 8 experts of FFN 16384, top-2, vocab 32768. By hand: 140.63B and 39.16B; tolerance 0.5B (the
  // published figures are whole billions).
  const ParamCount c = count_params(preset("mixtral-8x22b"));
  EXPECT_NEAR(static_cast<double>(c.total()), 141e9, 0.5e9);
  EXPECT_NEAR(static_cast<double>(c.activated), 39e9, 0.5e9);
  const i64 expert = 3 * 6144LL * 16384;
  EXPECT_EQ(c.routed_experts, 56 * 8 * expert);
  EXPECT_EQ(c.attention, 56 * (2 * 6144LL * 6144 + 2 * 6144LL * 1024));
}

// Megatron GPT (Narayanan et al. 2021, 3.1 and Table 1): P = 12 l h^2 (1 + 13/(12h) + (V + s)/(12 l h)),
// i.e. 12lh^2 (four h x h attention matrices, two h x 4h MLP matrices) + 13lh (QKV, o, fc1, fc2 biases
// and two LayerNorms) + (V + s) h (tied token and position tables). count_params adds the final
// LayerNorm, 2h, which the formula leaves out.
i64 narayanan(i64 l, i64 h) { return 12 * l * h * h + 13 * l * h + (51200 + 2048) * h; }

TEST(DensePresets, MegatronGptMatchesNarayananFormula) {
  struct Case {
    const char* name;
    i64 layers, hidden;
    double published, tolerance;  // Table 1 / model names, and their rounding
  };
  const Case cases[] = {
      {"gpt-22b", 48, 6144, 22e9, 0.1e9},      // Korthikanti Table 3 "22B"
      {"gpt-175b", 96, 12288, 175e9, 0.5e9},   // GPT-3 175B
      {"gpt-530b", 105, 20480, 529.6e9, 0.05e9},  // Narayanan Table 1: 529.6B
      {"gpt-1t", 128, 25600, 1008.0e9, 0.05e9},   // Narayanan Table 1: 1008.0B
  };
  for (const Case& k : cases) {
    const ModelSpec m = preset(k.name);
    const ParamCount c = count_params(m);
    EXPECT_EQ(c.total(), narayanan(k.layers, k.hidden) + 2 * k.hidden) << k.name;
    EXPECT_NEAR(static_cast<double>(c.total()), k.published, k.tolerance) << k.name;
    EXPECT_EQ(c.output_head, 0) << k.name << ": tied to the embedding";
    EXPECT_EQ(m.attention.heads * m.attention.head_dim, m.hidden) << k.name;
  }
}

TEST(DensePresets, GptShapesFollowDenseValidationTable) {
  // ../shared/reference/dense-validation.md: layers, hidden, heads, head dim, FFN = 4h.
  const ModelSpec m = preset("gpt-175b");
  EXPECT_EQ(m.layers, 96);
  EXPECT_EQ(m.attention.heads, 96);
  EXPECT_EQ(m.attention.head_dim, 128);
  EXPECT_EQ(m.dense_intermediate, 49152);
  EXPECT_EQ(m.vocab, 51200);
  EXPECT_EQ(m.mlp, MlpKind::kGelu);
  EXPECT_EQ(m.norm, NormKind::kLayerNorm);
  EXPECT_EQ(m.attention.core, AttentionCore::kUnfused);
  EXPECT_TRUE(m.linear_bias);
  EXPECT_EQ(preset("gpt-530b").attention.head_dim, 160);
  EXPECT_EQ(preset("gpt-1t").attention.heads, 160);
  EXPECT_EQ(preset("gpt-22b").attention.head_dim, 96);
}

TEST(DensePresets, GeluMlpHasTwoMatricesAndLayerNormTwoVectors) {
  // Changing one field changes the count by exactly its parameters.
  ModelSpec m = preset("gpt-22b");
  const i64 gelu = count_params(m).dense_ffn;
  EXPECT_EQ(gelu, 48 * (2 * 6144LL * 24576 + 24576 + 6144));
  m.mlp = MlpKind::kSwiglu;
  EXPECT_EQ(count_params(m).dense_ffn, 48 * (3 * 6144LL * 24576 + 2 * 24576 + 6144));
  const i64 ln = count_params(m).norms;
  m.norm = NormKind::kRmsNorm;
  EXPECT_EQ(ln - count_params(m).norms, (2 * 48 + 1) * 6144LL);  // the LayerNorm biases
  m.tie_embeddings = false;
  EXPECT_EQ(count_params(m).output_head, 51200LL * 6144);
}

}  // namespace
}  // namespace deepsim
