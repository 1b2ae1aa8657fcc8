// `deepsim topo --plan`'s text: compact id lists and the groups of DeepSeek-V3's plan, derived by hand
// from gpu = (stage x dp + dp rank) x tp + tp rank, node = gpu / 8.
#include "sim/parallel/placement_text.h"

#include <gtest/gtest.h>

namespace deepsim {
namespace {

bool has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(PlacementText, CompactIds) {
  EXPECT_EQ(compact_ids({}), "none");
  EXPECT_EQ(compact_ids({5}), "5");
  EXPECT_EQ(compact_ids({0, 1, 2, 3}), "0-3");
  EXPECT_EQ(compact_ids({0, 16}), "0, 16");
  EXPECT_EQ(compact_ids({0, 128, 256, 384}), "0, 128, 256, 384");
  EXPECT_EQ(compact_ids({0, 128, 256, 384, 512}), "0, 128, ..., 512");
  EXPECT_EQ(compact_ids({0, 5, 9}), "0, 5, 9");
  EXPECT_EQ(compact_ids({0, 5, 9, 20, 21}), "0, 5, 9, ... (5 in all)");
}

TEST(PlacementText, DeepSeekV3GroupsOn2048Gpus) {
  // PP16 x DP128, EP64 on 256 nodes: a stage is 128 GPUs = 16 nodes.
  const std::string t = describe_placement(Placement::make(16, 128, 1, 64, 256, 8).value());
  EXPECT_TRUE(has(t, "  each stage: 128 GPUs, 16 whole nodes\n")) << t;
  // Pipeline (dp d, tp 0) = GPUs d + 128 s: one GPU on every 16th node.
  EXPECT_TRUE(has(t, "  pipelines (128, one per dp x tp rank, by stage):\n"
                     "    dp 0 tp 0: GPUs 0, 128, ..., 1920 on nodes 0, 16, ..., 240\n"
                     "    dp 1 tp 0: GPUs 1, 129, ..., 1921 on nodes 0, 16, ..., 240\n"))
      << t;
  EXPECT_TRUE(has(t, "    ... 125 more\n")) << t;
  // DP group of (stage s, tp 0) = the stage's 128 GPUs.
  EXPECT_TRUE(has(t, "    stage 1 tp 0: GPUs 128-255 on nodes 16-31\n")) << t;
  EXPECT_TRUE(has(t, "  TP groups: none (tp 1)\n")) << t;
  // Two EP64 groups per stage, 8 whole nodes each; 32 in all.
  EXPECT_TRUE(has(t, "  EP groups (32, 2 per stage, by ep rank):\n"
                     "    stage 0 group 0: GPUs 0-63 on nodes 0-7\n"
                     "    stage 0 group 1: GPUs 64-127 on nodes 8-15\n"
                     "    stage 1 group 0: GPUs 128-191 on nodes 16-23\n"
                     "    ... 29 more\n"))
      << t;
}

TEST(PlacementText, StagesInsideANodeAndTpGroups) {
  // PP4 x DP2 x TP2 on 2 nodes of 8: a stage is 4 GPUs, two stages per node.
  const std::string t = describe_placement(Placement::make(4, 2, 2, 2, 2, 8).value());
  EXPECT_TRUE(has(t, "  each stage: 4 GPUs, 2 consecutive stages per node (pipeline sends between them on NVLink)\n")) << t;
  // Pipeline (dp 0, tp 1) = GPUs (2 s + 0) x 2 + 1 = 1, 5, 9, 13: two stages on each node.
  EXPECT_TRUE(has(t, "    dp 0 tp 1: GPUs 1, 5, 9, 13 on nodes 0-1\n")) << t;
  EXPECT_TRUE(has(t, "  TP groups (8, one per stage x dp rank, by tp rank):\n    stage 0 dp 0: GPUs 0-1 on node 0\n")) << t;
  EXPECT_TRUE(has(t, "    stage 0 tp 1: GPUs 1, 3 on node 0\n")) << t;
}

TEST(PlacementText, ExpertTpGroupsAndStridedEpGroups) {
  // PP2 x DP16 on 4 nodes, EP8 x expert TP2: ETP groups are GPU pairs, EP groups 8 GPUs at stride 2 over
  // two nodes (stage 0: {0, 2, ..., 14} and {1, 3, ..., 15}).
  const Placement p = Placement::make(2, 16, 1, 8, 4, 8, 1, 2).value();
  const std::string t = describe_placement(p);
  EXPECT_TRUE(has(t, "  expert-TP groups (16, expert_tp 2 consecutive GPUs each, by ETP rank; EP groups below at stride 2):\n"
                     "    stage 0 group 0: GPUs 0-1 on node 0\n"
                     "    stage 0 group 1: GPUs 2-3 on node 0\n"))
      << t;
  EXPECT_TRUE(has(t, "  EP groups (4, 2 per stage, by ep rank):\n"
                     "    stage 0 group 0: GPUs 0, 2, ..., 14 on nodes 0-1\n"
                     "    stage 0 group 1: GPUs 1, 3, ..., 15 on nodes 0-1\n"))
      << t;
  const auto j = placement_json(p);
  EXPECT_EQ(j["expert_tp"], 2);
  EXPECT_EQ(j["stage0_groups"]["etp"].size(), 8u);
  // expert_tp = 1 prints and writes what it always did: no ETP groups.
  const Placement one = Placement::make(2, 16, 1, 8, 4, 8).value();
  EXPECT_EQ(describe_placement(one).find("expert-TP"), std::string::npos);
  EXPECT_FALSE(placement_json(one).contains("expert_tp"));
}

}  // namespace
}  // namespace deepsim
