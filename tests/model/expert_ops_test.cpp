// Routed-expert ops for given token counts, balanced and imbalanced.
#include "sim/model/expert_ops.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;

const OpContext kCtx{.tokens = 4096, .seq_len = 4096, .tp = 1, .precision = Precision::kFp8};

Op find(const std::vector<Op>& ops, const std::string& name) {
  for (const Op& op : ops)
    if (op.name == name) return op;
  ADD_FAILURE() << "no op " << name;
  return Op{};
}

TEST(ExpertOps, OneExpertIsSwiGluWithFusedGateUp) {
  const auto ops = expert_ops(preset("deepseek-v3"), 300, kCtx);
  // Under FP8: cast, gate_up, swiglu, cast, down.
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_EQ(ops[1].name, "expert.gate_up");
  const Op gate_up = find(ops, "expert.gate_up"), down = find(ops, "expert.down");
  EXPECT_EQ(gate_up.gemm.n, 2 * 2048);
  // Forward: 2 * 300 * (2*2048) * 7168 + 2 * 300 * 7168 * 2048 = 6 * 300 * 7168 * 2048.
  EXPECT_DOUBLE_EQ(gate_up.fwd.value() + down.fwd.value(), 6.0 * 300 * 7168 * 2048);
  for (const Op& op : ops) EXPECT_TRUE(op.per_expert) << op.name;
  EXPECT_EQ(gate_up.params + down.params, 3LL * 7168 * 2048);
  // Without FP8 there are no casts.
  OpContext bf16 = kCtx;
  bf16.precision = Precision::kBf16;
  EXPECT_EQ(expert_ops(preset("deepseek-v3"), 300, bf16).size(), 3u);
}

TEST(ExpertOps, CastsOfTheExpertGemmsAreBackwardOnlyWithBytesFromShapes) {
  // Dispatched tokens arrive in FP8 and the SwiGLU writes FP8, so neither expert GEMM casts its forward
  // input. Per element a cast reads BF16 (2 B), writes FP8 (1 B) and one FP32 scale per 128 (4/128 B):
  // 3.03125 B. gate_up (M = 300, N = 4096, K = 7168): dgrad casts dY (300 x 4096); wgrad casts X
  // (300 x 7168) and dY along the token axis, in two launches.
  const auto ops = expert_ops(preset("deepseek-v3"), 300, kCtx);
  const Op cast = find(ops, "expert.gate_up.cast");
  EXPECT_EQ(cast.kind, OpKind::kFp8Cast);
  constexpr double kPerElem = 2 + 1 + 4.0 / 128;
  EXPECT_DOUBLE_EQ(cast.fwd_bytes.value(), 0.0);
  EXPECT_EQ(cast.fwd_launches, 0);
  EXPECT_DOUBLE_EQ(cast.dgrad_bytes.value(), kPerElem * 300 * 4096);
  EXPECT_DOUBLE_EQ(cast.wgrad_bytes.value(), kPerElem * 300 * (7168 + 4096));
  EXPECT_EQ(cast.wgrad_launches, 2);
  EXPECT_EQ(cast.params, 0);
  EXPECT_DOUBLE_EQ(cast.saved.value(), 0.0);
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
  const Op gate_up = find(grouped_expert_ops(m, counts, kCtx), "expert.gate_up");
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
