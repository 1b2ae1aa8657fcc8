#include "sim/moe/bias_balancer.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "sim/moe/balancing_run.h"
#include "tests/moe/moe_test_shapes.h"

namespace deepsim {
namespace {

using moe_test::kEp8On4Nodes;
using moe_test::small_moe;

// Loads {1, 2, 6} (mean 3): experts 0 and 1 are under-loaded (+gamma), expert 2 over-loaded (-gamma);
// an expert exactly at the mean keeps its bias.
TEST(BiasBalancer, SignUpdateByHand) {
  BiasBalancer b(1, 4, 0.5);
  b.update(0, std::vector<double>{1, 2, 6, 3});
  EXPECT_EQ(std::vector<double>(b.bias(0).begin(), b.bias(0).end()), (std::vector<double>{0.5, 0.5, -0.5, 0.0}));
}

// A stationary skew (hot experts 4x as popular, no drift) on the small model: with the bias update
// the imbalance falls; without it, it stays. gamma = 0.02 in score units (noise scale 1), so the
// log(4) = 1.39 logit gap of the hot experts is cancelled after about 1.39/0.02 = 70 steps.
TEST(BiasBalancer, BiasUpdateLowersMaxOverMeanOnAStationarySkew) {
  MoeRoutingSpec spec;
  spec.source = LoadSource::kHot;
  spec.hot_fraction = 0.125;
  spec.hot_multiplier = 4.0;
  spec.bias_gamma = 0.02;
  MoeLoadModel balanced(spec, small_moe(), kEp8On4Nodes, 1, 5);
  spec.balancing = false;
  MoeLoadModel unbalanced(spec, small_moe(), kEp8On4Nodes, 1, 5);
  const auto on = run_balancing(balanced, 120, 2, 64, RoutingMode::kPerToken);
  const auto off = run_balancing(unbalanced, 120, 2, 64, RoutingMode::kPerToken);
  const auto tail_mean = [](const std::vector<BalanceStepStats>& r, auto field) {
    double s = 0;
    for (std::size_t i = r.size() - 20; i < r.size(); ++i) s += r[i].*field;
    return s / 20.0;
  };
  const double start = on.front().expert_max_over_mean;
  const double end_on = tail_mean(on, &BalanceStepStats::expert_max_over_mean);
  const double end_off = tail_mean(off, &BalanceStepStats::expert_max_over_mean);
  RecordProperty("expert_max_over_mean_start", std::to_string(start));
  RecordProperty("expert_max_over_mean_end_balanced", std::to_string(end_on));
  RecordProperty("expert_max_over_mean_end_unbalanced", std::to_string(end_off));
  EXPECT_GT(start, 1.8);
  EXPECT_LT(end_on, start * 0.7);
  EXPECT_LT(end_on, end_off * 0.7);
  EXPECT_LT(tail_mean(on, &BalanceStepStats::gpu_max_over_mean), tail_mean(off, &BalanceStepStats::gpu_max_over_mean));
}

}  // namespace
}  // namespace deepsim
