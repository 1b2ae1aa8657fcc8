#include "sim/moe/routing_spec.h"

#include <gtest/gtest.h>

#include "sim/moe/popularity.h"
#include "tests/moe/moe_test_shapes.h"

namespace deepsim {
namespace {

using moe_test::v3_moe;

TEST(MoeRoutingSpec, NamesRoundTrip) {
  for (const auto& n : load_source_names()) EXPECT_EQ(to_string(*parse_load_source(n)), n);
  for (const auto& n : group_score_rule_names()) EXPECT_EQ(to_string(*parse_group_score_rule(n)), n);
  for (const auto& n : eplb_policy_names()) EXPECT_EQ(to_string(*parse_eplb_policy(n)), n);
  for (const auto& n : replica_rule_names()) EXPECT_EQ(to_string(*parse_replica_rule(n)), n);
  for (const auto& n : router_noise_names()) EXPECT_EQ(to_string(*parse_router_noise(n)), n);
  EXPECT_FALSE(parse_load_source("zipff"));
}

TEST(MoeRoutingSpec, DefaultsAreValidForV3OnEp64) {
  EXPECT_TRUE(check_moe_routing_spec(MoeRoutingSpec{}, v3_moe(), 64, 8).empty());
}

TEST(MoeRoutingSpec, ProblemsNameTheirKey) {
  MoeRoutingSpec s;
  s.step_correlation = 1.5;
  s.source = LoadSource::kTrace;
  s.eplb = {EplbPolicy::kHierarchical, 32, 10};  // 288 slots do not divide over 64 GPUs
  const auto p = check_moe_routing_spec(s, v3_moe(), 64, 8);
  std::vector<std::string> keys;
  for (const auto& x : p) keys.push_back(x.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"moe.step_correlation", "moe.trace_path", "moe.eplb.redundant_experts"}));
  s = {};
  s.eplb = {EplbPolicy::kHierarchical, 32, 10};
  EXPECT_TRUE(check_moe_routing_spec(s, v3_moe(), 32, 8).empty());  // 288 on EP32: 9 a GPU, V3 prefill
}

// Profiles by hand: Zipf(1) ranks r = 1..4 -> logits -log r; hot 25% of 4 with multiplier 4 -> one log 4.
TEST(Popularity, ProfilesByHand) {
  MoeRoutingSpec s;
  Rng rng(1);
  s.source = LoadSource::kZipf;
  const auto z = PopularityModel::profile(s, 4, rng);
  EXPECT_DOUBLE_EQ(z[0], 0.0);
  EXPECT_DOUBLE_EQ(z[3], -std::log(4.0));
  s.source = LoadSource::kHot;
  s.hot_fraction = 0.25;
  const auto h = PopularityModel::profile(s, 4, rng);
  EXPECT_EQ(h, (std::vector<double>{std::log(4.0), 0, 0, 0}));
}

// Without drift (rho = 1) the logits never change; with layer_variation 0 all layers are the same; any
// drift keeps the same sorted profile (the skew is stationary), only the identities move.
TEST(Popularity, DriftAndLayerVariation) {
  MoeRoutingSpec s;
  s.source = LoadSource::kDirichlet;
  s.dirichlet_concentration = 0.5;
  s.layer_variation = 0.0;
  PopularityModel still(s, 3, 64, Rng(5));
  const std::vector<double> l0(still.logits(0).begin(), still.logits(0).end());
  EXPECT_EQ(l0, std::vector<double>(still.logits(2).begin(), still.logits(2).end()));
  still.advance();
  EXPECT_EQ(l0, std::vector<double>(still.logits(0).begin(), still.logits(0).end()));
  s.step_correlation = 0.5;
  s.layer_variation = 1.0;
  PopularityModel moving(s, 2, 64, Rng(5));
  std::vector<double> before(moving.logits(1).begin(), moving.logits(1).end());
  moving.advance();
  std::vector<double> after(moving.logits(1).begin(), moving.logits(1).end());
  EXPECT_NE(before, after);
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(before, after);
}

}  // namespace
}  // namespace deepsim
