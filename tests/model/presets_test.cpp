// The presets against the published configs (config.json of each model's Hugging Face / GitHub release).
#include <gtest/gtest.h>

#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;

TEST(Presets, DeepSeekV3MatchesConfig671B) {
  // DeepSeek-V3/inference/configs/config_671B.json and TR 4.2 (reference R8).
  const ModelSpec m = preset("deepseek-v3");
  EXPECT_EQ(m.layers, 61);
  EXPECT_EQ(m.hidden, 7168);
  EXPECT_EQ(m.vocab, 129280);
  EXPECT_EQ(m.dense_intermediate, 18432);
  EXPECT_EQ(m.attention.heads, 128);
  EXPECT_EQ(m.attention.q_lora_rank, 1536);
  EXPECT_EQ(m.attention.kv_lora_rank, 512);
  EXPECT_EQ(m.attention.qk_nope_head_dim, 128);
  EXPECT_EQ(m.attention.qk_rope_head_dim, 64);
  EXPECT_EQ(m.attention.v_head_dim, 128);
  EXPECT_EQ(m.moe.routed_experts, 256);
  EXPECT_EQ(m.moe.shared_experts, 1);
  EXPECT_EQ(m.moe.expert_intermediate, 2048);
  EXPECT_EQ(m.moe.top_k, 8);
  EXPECT_EQ(m.moe.first_dense_layers, 3);
  EXPECT_TRUE(m.moe.router_bias);
  EXPECT_EQ(m.mtp_depth, 1);
  EXPECT_FALSE(m.tie_embeddings);
  // Layers 0..2 dense, 3..60 MoE; index 61 (the MTP block) is MoE too.
  EXPECT_FALSE(m.is_moe_layer(2));
  EXPECT_TRUE(m.is_moe_layer(3));
  EXPECT_TRUE(m.is_moe_layer(61));
}

TEST(Presets, DeepSeekV2MatchesConfig) {
  // deepseek-ai/DeepSeek-V2 config.json: 60 layers, hidden 5120, 160 routed + 2 shared experts of 1536,
  // top-6, n_group 8, topk_group 3, first_k_dense_replace 1, softmax gating without a score bias.
  const ModelSpec m = preset("deepseek-v2");
  EXPECT_EQ(m.layers, 60);
  EXPECT_EQ(m.hidden, 5120);
  EXPECT_EQ(m.vocab, 102400);
  EXPECT_EQ(m.moe.routed_experts, 160);
  EXPECT_EQ(m.moe.shared_experts, 2);
  EXPECT_EQ(m.moe.expert_intermediate, 1536);
  EXPECT_EQ(m.moe.top_k, 6);
  EXPECT_EQ(m.moe.limited_groups, 3);
  EXPECT_EQ(m.moe.first_dense_layers, 1);
  EXPECT_FALSE(m.moe.router_bias);
  EXPECT_EQ(m.mtp_depth, 0);
}

TEST(Presets, DenseModelsMatchConfigs) {
  const ModelSpec llama = preset("llama-3.1-405b");
  EXPECT_EQ(llama.layers, 126);
  EXPECT_EQ(llama.hidden, 16384);
  EXPECT_EQ(llama.attention.kv_heads, 8);
  EXPECT_EQ(llama.dense_intermediate, 53248);
  EXPECT_FALSE(llama.attention.qkv_bias);
  const ModelSpec qwen = preset("qwen2.5-72b");
  EXPECT_EQ(qwen.layers, 80);
  EXPECT_EQ(qwen.hidden, 8192);
  EXPECT_EQ(qwen.dense_intermediate, 29568);
  EXPECT_TRUE(qwen.attention.qkv_bias);  // Qwen2 attention has bias=True on q_proj, k_proj, v_proj
  EXPECT_FALSE(qwen.is_moe());
}

}  // namespace
}  // namespace deepsim
