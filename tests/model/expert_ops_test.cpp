// Routed-expert ops for given token counts, balanced and imbalanced.
#include "sim/model/expert_ops.h"

#include <gtest/gtest.h>

#include <numeric>

#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;

const OpContext kCtx{.tokens = 4096, .seq_len = 4096, .tp = 1, .precision = Precision::kFp8};

TEST(ExpertOps, OneExpertIsSwiGluWithFusedGateUp) {
  const auto ops = expert_ops(preset("deepseek-v3"), 300, kCtx);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].name, "expert.gate_up");
  EXPECT_EQ(ops[0].gemm.n, 2 * 2048);
  // Forward: 2 * 300 * (2*2048) * 7168 + 2 * 300 * 7168 * 2048 = 6 * 300 * 7168 * 2048.
  EXPECT_DOUBLE_EQ(ops[0].fwd.value() + ops[2].fwd.value(), 6.0 * 300 * 7168 * 2048);
  for (const Op& op : ops) EXPECT_TRUE(op.per_expert) << op.name;
  EXPECT_EQ(ops[0].params + ops[2].params, 3LL * 7168 * 2048);
}

TEST(ExpertOps, BalancedCountsSumToTokensTimesTopK) {
  const ModelSpec v3 = preset("deepseek-v3");
  EXPECT_DOUBLE_EQ(balanced_tokens_per_expert(v3, 4096), 4096.0 * 8 / 256);
  // V2: 4096 * 6 / 160 = 153.6 per expert: 96 experts get 154, 64 get 153 (96 = 24576 mod 160).
  const ModelSpec v2 = preset("deepseek-v2");
  const auto counts = balanced_expert_counts(v2, 4096);
  ASSERT_EQ(counts.size(), 160u);
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), std::int64_t{0}), 4096 * 6);
  EXPECT_EQ(counts[95], 154);
  EXPECT_EQ(counts[96], 153);
}

TEST(ExpertOps, ImbalancedGroupsCostTheirOwnTokensAndIdleExpertsReadNoWeights) {
  const ModelSpec m = preset("deepseek-v3");
  const std::int64_t counts[] = {500, 0, 12};
  const Op gate_up = grouped_expert_ops(m, counts, kCtx).front();
  EXPECT_EQ(gate_up.groups, 3);
  EXPECT_EQ(gate_up.gemm.m, 171);  // ceil(512 / 3)
  EXPECT_DOUBLE_EQ(gate_up.fwd.value(), 2.0 * 512 * 4096 * 7168);
  // Bytes per active group: M*K + N*K (FP8) + 2*M*N (BF16 out); the idle expert adds nothing.
  const double bytes = 512.0 * 7168 + 2 * 4096.0 * 7168 + 2 * 512.0 * 4096;
  EXPECT_DOUBLE_EQ(gate_up.fwd_bytes.value(), bytes);
  // But all three experts' weights are held.
  EXPECT_EQ(gate_up.params, 3LL * 4096 * 7168);
}

}  // namespace
}  // namespace deepsim
