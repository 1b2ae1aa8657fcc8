#include <gtest/gtest.h>

#include "sim/scenario/loader.h"
#include "sim/step/imbalance_study.h"

namespace deepsim {
namespace {

TEST(ImbalanceStudy, SkewSlowsTheStepAndBalancingRecoversPartOfIt) {
  // A small V3-shaped plan (PP4 x DP16, EP16 on 2 nodes, 8 micro-batches) under a strong Zipf skew.
  const Scenario s = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml",
                                        std::vector<std::string>{"cluster.nodes=8", "parallel.pp=4", "parallel.dp=16",
                                                                 "parallel.ep=16", "parallel.micro_batches=8", "training.seq_len=1024",
                                                                 "training.global_batch=128",
                                                                 "training.ramp.start_sequences=0"});
  MoeRoutingSpec spec;
  spec.source = LoadSource::kZipf;
  spec.zipf_exponent = 1.0;
  spec.bias_gamma = 0.01;
  spec.probe_tokens = 512;  // selection probabilities from fewer probe tokens: a coarser but faster estimate
  const auto rows = imbalance_study(s, spec, 20);
  ASSERT_EQ(rows.size(), 5u);
  const auto& balanced = rows[0];
  const auto& skew = rows[1];
  EXPECT_NEAR(balanced.gpu_max_over_mean, 1.0, 0.02);
  EXPECT_GT(skew.gpu_max_over_mean, 1.5);
  EXPECT_GT(skew.step, balanced.step);  // the busiest GPU and the hottest link set the pace
  EXPECT_LT(rows[2].gpu_max_over_mean, skew.gpu_max_over_mean);  // bias balancing
  EXPECT_LT(rows[3].gpu_max_over_mean, skew.gpu_max_over_mean);  // EPLB
  EXPECT_LT(rows[2].step, skew.step);
  EXPECT_LT(rows[3].step, skew.step);
  EXPECT_NE(format_imbalance(rows).find("perfect balance"), std::string::npos);
}

}  // namespace
}  // namespace deepsim
