#include "sim/moe/balanced_routing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "sim/moe/moe_load_model.h"
#include "tests/moe/moe_test_shapes.h"

namespace deepsim {
namespace {

using moe_test::kEp64;
using moe_test::v3_moe;

// V3 on EP64, 64 tokens per GPU: T = 4096 tokens, T*k/E = 4096*8/256 = 128 tokens per expert, and with 4
// experts per GPU 512 rows per GPU, 4096 per node. Each token uses 4 consecutive groups = 4 nodes, 2
// experts on each.
TEST(BalancedRouting, EveryExpertGpuAndNodeGetsTheSameLoadAndEveryTokenFourNodes) {
  MoeRoutingSpec spec;
  spec.source = LoadSource::kBalanced;
  MoeLoadModel model(spec, v3_moe(), kEp64, 1, 7);
  const RoutedBatch b = model.route(0, 0, 64, RoutingMode::kPerToken);
  ASSERT_TRUE(b.per_token);
  for (double x : b.expert_tokens) EXPECT_EQ(x, 128.0);
  for (double x : b.gpu_tokens) EXPECT_EQ(x, 512.0);
  for (double x : b.node_tokens) EXPECT_EQ(x, 4096.0);
  EXPECT_DOUBLE_EQ(b.mean_nodes_per_token, 4.0);
  EXPECT_DOUBLE_EQ(b.gpu_imbalance().ratio(), 1.0);
  // Every single token, not only the average, reaches exactly 4 nodes.
  for (int src = 0; src < kEp64.gpus; ++src) {
    const auto& off = b.dest_offsets[static_cast<std::size_t>(src)];
    ASSERT_EQ(off.size(), 65u);
    for (std::size_t t = 0; t + 1 < off.size(); ++t) {
      std::vector<int> nodes;
      for (auto i = off[t]; i < off[t + 1]; ++i) nodes.push_back(kEp64.node_of(b.dest_gpus[static_cast<std::size_t>(src)][i]));
      std::sort(nodes.begin(), nodes.end());
      EXPECT_EQ(std::unique(nodes.begin(), nodes.end()) - nodes.begin(), 4);
    }
  }
}

TEST(BalancedRouting, AggregateModeGivesTheExactShare) {
  MoeRoutingSpec spec;
  spec.source = LoadSource::kBalanced;
  MoeLoadModel model(spec, v3_moe(), kEp64, 1, 7);
  const RoutedBatch b = model.route(0, 0, 4096, RoutingMode::kAggregate);
  EXPECT_FALSE(b.per_token);
  for (double x : b.gpu_tokens) EXPECT_DOUBLE_EQ(x, 4096.0 * 8);  // 4096*64 tokens * 8 / 64 GPUs
  EXPECT_DOUBLE_EQ(b.mean_nodes_per_token, 4.0);
}

// An odd top_k (3 of 2 groups) still spreads evenly: over 2E tokens every expert gets 2E*3/E = 6.
TEST(BalancedRouting, UnevenSplitOverGroupsStaysBalanced) {
  const RouterShape shape{16, 4, 2, 3};
  const auto deal = balanced_token_experts(shape, 0, 32);
  std::vector<int> count(16, 0);
  for (int e : deal) ++count[static_cast<std::size_t>(e)];
  for (int c : count) EXPECT_EQ(c, 6);
}

TEST(BalancedRouting, AWindowEqualsTheSameSliceOfTheWholeDeal) {
  const RouterShape shape{256, 8, 4, 8};
  const auto all = balanced_token_experts(shape, 0, 100);
  const auto tail = balanced_token_experts(shape, 40, 60);
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), all.begin() + 40 * 8));
}

}  // namespace
}  // namespace deepsim
