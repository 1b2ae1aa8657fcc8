// KV cache per token, BF16, against ISCA Table 1 (reference R10).
#include "sim/model/kv_cache.h"

#include <gtest/gtest.h>

#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;

TEST(KvCache, DeepSeekV3Mla) {
  // (kv_lora_rank 512 + qk_rope 64) * 61 layers * 2 B = 70,272 B.
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(preset("deepseek-v3")).value(), 70'272.0);
}

TEST(KvCache, Qwen72BGqa) {
  // 2 (K and V) * 8 KV heads * 128 * 80 layers * 2 B = 327,680 B.
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(preset("qwen2.5-72b")).value(), 327'680.0);
}

TEST(KvCache, Llama405BGqa) {
  // 2 * 8 * 128 * 126 * 2 B = 516,096 B.
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(preset("llama-3.1-405b")).value(), 516'096.0);
}

TEST(KvCache, Fp8ElementsHalveIt) {
  EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(preset("deepseek-v3"), 1.0).value(), 70'272.0 / 2);
}

}  // namespace
}  // namespace deepsim
