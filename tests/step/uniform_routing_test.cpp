#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "sim/model/presets.h"
#include "sim/step/uniform_routing.h"

namespace deepsim {
namespace {

TEST(UniformRouting, DistinctNodesPerTokenMatchesClosedForm) {
  // DeepSeek-V3 on EP64 (8 nodes, group g = node g): 8 of the 128 experts of 4 groups.
  // E[distinct nodes] = 4 x (1 - C(96,8)/C(128,8)).
  const ModelSpec m = *find_model_preset("deepseek-v3");
  double miss = 1;
  for (int i = 0; i < 8; ++i) miss *= (96.0 - i) / (128.0 - i);
  const double expected = 4 * (1 - miss);
  EXPECT_NEAR(expected, 3.63, 0.005);  // reference R24's derived figure
  Rng rng(5);
  const int tokens = 2048;
  const TokenRouting r = sample_uniform_routing(m, 64, tokens, rng);
  EpGroupShape g{64, 8, Bandwidth::gb_per_s(40), Bandwidth::gb_per_s(160), Time::zero()};
  const AllToAllLoad load = all_to_all_load(g, r, 1.0);
  const double mean = load.unique_token_nodes / (64.0 * tokens);
  // Per token the count lies in 1..4 with variance < 1, so the standard error over 131072 tokens is
  // below 0.003; allow 0.01.
  EXPECT_NEAR(mean, expected, 0.01);
}

TEST(UniformRouting, ExpertsStayWithinLimitedGroupsAndAreDistinct) {
  const ModelSpec m = *find_model_preset("deepseek-v3");
  Rng rng(9);
  const TokenRouting r = sample_uniform_routing(m, 64, 200, rng);
  for (std::size_t src = 0; src < 64; ++src) {
    ASSERT_EQ(r.offsets[src].size(), 201u);
    for (std::size_t t = 0; t + 1 < r.offsets[src].size(); ++t) {
      std::set<int> nodes;
      for (auto k = r.offsets[src][t]; k < r.offsets[src][t + 1]; ++k) nodes.insert(r.destinations[src][k] / 8);
      EXPECT_EQ(r.offsets[src][t + 1] - r.offsets[src][t], 8u);
      EXPECT_LE(nodes.size(), 4u);
    }
  }
}

}  // namespace
}  // namespace deepsim
