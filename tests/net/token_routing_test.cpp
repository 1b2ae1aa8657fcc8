// Group-limited top-k sampler: shape, limits and the closed form for distinct groups (nodes) per token.
#include <gtest/gtest.h>

#include <set>

#include "sim/core/error.h"
#include "sim/net/token_routing.h"

namespace deepsim {
namespace {

// Distinct nodes each token reaches, averaged, for `gpus_per_node` GPUs per node.
double mean_nodes_per_token(const TokenRouting& r, int gpus_per_node) {
  double nodes = 0, tokens = 0;
  for (std::size_t src = 0; src < r.gpus(); ++src) {
    for (std::size_t t = 0; t < r.tokens(src); ++t) {
      std::set<int> seen;
      for (auto k = r.offsets[src][t]; k < r.offsets[src][t + 1]; ++k) seen.insert(r.destinations[src][k] / gpus_per_node);
      nodes += static_cast<double>(seen.size());
      tokens += 1;
    }
  }
  return nodes / tokens;
}

TEST(TokenRouting, ClosedFormForDeepSeekV3) {
  // 4 x (1 - C(96,8) / C(128,8)) = 4 x (1 - 0.0927473) = 3.62901 (R24: "E[nodes per token] ~ 3.63").
  EXPECT_NEAR(expected_groups_per_token(GroupLimitedTopK{}), 3.6290109, 1e-6);
  // A small shape by hand: 16 experts in 4 groups of 4, 2 groups, top-3:
  // 2 x (1 - C(4,3) / C(8,3)) = 2 x (1 - 4/56) = 1.857143.
  EXPECT_NEAR(expected_groups_per_token({16, 4, 2, 3}), 2 * (1 - 4.0 / 56), 1e-12);
  // k experts always fit one group only if that group holds all: top-1 reaches exactly one group.
  EXPECT_DOUBLE_EQ(expected_groups_per_token({256, 8, 4, 1}), 1.0);
}

TEST(TokenRouting, SampledNodesPerTokenMatchTheClosedForm) {
  // EP64 on 8 nodes, 512 tokens per GPU = 32,768 tokens. The per-token count lies in 1..4 with standard
  // deviation below 0.6, so the sample mean is within 3 x 0.6 / sqrt(32768) = 0.01 of 3.629.
  Rng rng(11);
  const TokenRouting r = sample_group_limited_routing(GroupLimitedTopK{}, 64, 512, rng);
  ASSERT_EQ(r.gpus(), 64u);
  EXPECT_EQ(r.tokens(5), 512u);
  EXPECT_NEAR(mean_nodes_per_token(r, 8), expected_groups_per_token(GroupLimitedTopK{}), 0.01);
}

TEST(TokenRouting, EveryTokenHasTopKDistinctExpertsInAtMostMGroups) {
  // 256 experts on 64 GPUs (4 each): a token's 8 experts land on at most 8 GPUs of at most 4 nodes.
  Rng rng(5);
  const TokenRouting r = sample_group_limited_routing(GroupLimitedTopK{}, 64, 200, rng);
  for (std::size_t src = 0; src < r.gpus(); ++src) {
    for (std::size_t t = 0; t < r.tokens(src); ++t) {
      EXPECT_EQ(r.offsets[src][t + 1] - r.offsets[src][t], 8u);
      std::set<int> nodes;
      for (auto k = r.offsets[src][t]; k < r.offsets[src][t + 1]; ++k) nodes.insert(r.destinations[src][k] / 8);
      EXPECT_LE(nodes.size(), 4u);
    }
  }
}

TEST(TokenRouting, SameSeedSameRouting) {
  Rng a(42), b(42);
  const TokenRouting ra = sample_group_limited_routing(GroupLimitedTopK{}, 16, 100, a);
  const TokenRouting rb = sample_group_limited_routing(GroupLimitedTopK{}, 16, 100, b);
  EXPECT_EQ(ra.destinations, rb.destinations);
  EXPECT_EQ(ra.offsets, rb.offsets);
}

TEST(TokenRouting, RejectsInconsistentShapes) {
  Rng rng(1);
  EXPECT_THROW((void)sample_group_limited_routing({256, 7, 4, 8}, 64, 1, rng), InputError);   // 7 does not divide 256
  EXPECT_THROW((void)sample_group_limited_routing({256, 8, 9, 8}, 64, 1, rng), InputError);   // M > groups
  EXPECT_THROW((void)sample_group_limited_routing({16, 4, 1, 5}, 4, 1, rng), InputError);     // k > 1 x 4 experts
  EXPECT_THROW((void)sample_group_limited_routing(GroupLimitedTopK{}, 48, 1, rng), InputError);  // 48 does not divide 256
}

}  // namespace
}  // namespace deepsim
