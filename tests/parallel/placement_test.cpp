// Placement: the documented mapping gpu = (stage * dp + dp_rank) * tp + tp_rank and the group rules.
#include "sim/parallel/placement.h"

#include <gtest/gtest.h>

#include <set>

namespace deepsim {
namespace {

// DeepSeek-V3 (reference R12): 2048 H800 = 256 nodes x 8; PP16, DP = 2048 / 16 = 128, no TP, EP64.
Placement v3() { return Placement::make(16, 128, 1, 64, 256, 8).value(); }

TEST(Placement, V3StagesFillWholeNodes) {
  const Placement p = v3();
  // A stage is 128 consecutive GPUs = 16 nodes: stage s owns nodes [16 s, 16 s + 16).
  for (int g = 0; g < p.gpus(); ++g) {
    const GpuId id(static_cast<GpuId::rep>(g));
    EXPECT_EQ(p.location(id).node / 16, p.coord(id).stage) << g;
  }
}

TEST(Placement, V3PipelineNeighboursOnDifferentNodes) {
  const Placement p = v3();
  for (int d = 0; d < p.dp(); ++d) {
    const auto pipe = p.pipeline(d, 0);
    ASSERT_EQ(pipe.size(), 16u);
    for (std::size_t s = 0; s + 1 < pipe.size(); ++s) {
      EXPECT_NE(p.location(pipe[s]).node, p.location(pipe[s + 1]).node);
      // Same local index: the activation send stays in one MPFT plane.
      EXPECT_EQ(p.location(pipe[s]).local, p.location(pipe[s + 1]).local);
    }
  }
}

TEST(Placement, V3EpGroupIsEightWholeNodes) {
  const Placement p = v3();
  EXPECT_EQ(p.ep_groups_per_stage(), 2);  // DP128 / EP64
  for (int stage : {0, 7, 15}) {
    for (int group = 0; group < 2; ++group) {
      const auto members = p.ep_group_members(stage, group);
      ASSERT_EQ(members.size(), 64u);
      std::set<int> nodes;
      for (std::size_t k = 0; k < members.size(); ++k) {
        nodes.insert(p.location(members[k]).node);
        EXPECT_EQ(p.ep_rank(members[k]), static_cast<int>(k));
        EXPECT_EQ(p.ep_group(members[k]), group);
        EXPECT_EQ(p.coord(members[k]).stage, stage);
      }
      EXPECT_EQ(nodes.size(), 8u);
      // 8 nodes x 8 GPUs = 64 members: the nodes are whole.
      EXPECT_EQ(*nodes.begin(), 16 * stage + 8 * group);
    }
  }
}

TEST(Placement, V3DpGroupSpansTheStage) {
  const Placement p = v3();
  const auto dp = p.dp_group(5, 0);
  ASSERT_EQ(dp.size(), 128u);
  EXPECT_EQ(dp.front().value(), 5u * 128u);
  EXPECT_EQ(dp.back().value(), 5u * 128u + 127u);
}

TEST(Placement, CoordRoundTrips) {
  const Placement p = Placement::make(2, 4, 2, 4, 2, 8).value();
  for (int g = 0; g < p.gpus(); ++g) {
    const GpuId id(static_cast<GpuId::rep>(g));
    EXPECT_EQ(p.gpu(p.coord(id)), id);
  }
}

TEST(Placement, WithTensorParallelism) {
  // pp2 dp4 tp2 on 2 nodes of 8: gpu(1, 2, 1) = (1*4 + 2)*2 + 1 = 13 -> node 1, local 5.
  const Placement p = Placement::make(2, 4, 2, 4, 2, 8).value();
  const GpuId g = p.gpu({1, 2, 1});
  EXPECT_EQ(g.value(), 13u);
  EXPECT_EQ(p.location(g), (GpuLocation{1, 5}));
  EXPECT_EQ(p.tp_group(1, 2), (std::vector<GpuId>{GpuId(12), GpuId(13)}));
  EXPECT_EQ(p.dp_group(1, 1), (std::vector<GpuId>{GpuId(9), GpuId(11), GpuId(13), GpuId(15)}));
  // EP4 over the stage's 8 (dp x tp) GPUs: group 1 holds in-stage indices 4..7 = GPUs 4..7 of stage 0.
  EXPECT_EQ(p.ep_groups_per_stage(), 2);
  EXPECT_EQ(p.ep_group_members(0, 1), (std::vector<GpuId>{GpuId(4), GpuId(5), GpuId(6), GpuId(7)}));
}

TEST(Placement, ImpossiblePlansAreErrors) {
  EXPECT_NE(Placement::make(16, 64, 1, 64, 256, 8).error().find("cluster has 2048"), std::string::npos);
  EXPECT_NE(Placement::make(16, 128, 1, 48, 256, 8).error().find("does not divide dp x tp"), std::string::npos);
  EXPECT_NE(Placement::make(1, 8, 3, 1, 3, 8).error().find("tp = 3"), std::string::npos);
  // EP12 divides a 96-GPU stage but would straddle 8-GPU nodes.
  EXPECT_NE(Placement::make(2, 96, 1, 12, 24, 8).error().find("straddle"), std::string::npos);
  EXPECT_FALSE(Placement::make(0, 1, 1, 1, 1, 8).ok());
  EXPECT_TRUE(Placement::make(1, 8, 1, 4, 1, 8).ok());  // EP4 inside one node
  EXPECT_NE(Placement::make(1, 2, 12, 1, 3, 8).error().find("multiple of them"), std::string::npos);  // 1.5 nodes
}

TEST(Placement, EveryRuleIsNamedWithItsKeyAndAHint) {
  struct Case {
    int pp, dp, tp, ep, nodes;
    const char* rule;
    const char* key;
  };
  for (const Case& c : {Case{16, 64, 1, 64, 256, "pp x dp x tp uses every GPU", "parallel.dp"},
                        Case{1, 8, 3, 1, 3, "a TP group fits inside one node or is whole nodes", "parallel.tp"},
                        Case{16, 128, 1, 48, 256, "an EP group lies inside one stage", "parallel.ep"},
                        Case{2, 96, 1, 12, 24, "an EP group fits inside one node or is whole nodes", "parallel.ep"},
                        // 12-GPU stages on 8-GPU nodes: stage 0 would own node 0 and half of node 1.
                        Case{2, 12, 1, 4, 3, "a stage fills whole nodes or fits inside one", "parallel.dp"}}) {
    const PlacementProblem why = placement_problem(c.pp, c.dp, c.tp, c.ep, c.nodes, 8);
    EXPECT_EQ(why.rule, c.rule);
    EXPECT_EQ(why.key, c.key) << c.rule;
    EXPECT_FALSE(why.hint.empty()) << c.rule;
    const auto made = Placement::make(c.pp, c.dp, c.tp, c.ep, c.nodes, 8);
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.error().rfind(std::string("rule: ") + c.rule + ": ", 0), 0u) << made.error();
  }
  // The stage rule's hint lists the sizes that fit 8-GPU nodes.
  EXPECT_EQ(placement_problem(2, 12, 1, 4, 3, 8).hint, "choose dp x tp from 1, 2, 4, 8, 16 (pp stages of it use every GPU)");
}

TEST(Placement, ConsecutiveStagesShareANode) {
  // PP4 x DP4 on 2 nodes of 8: a stage is 4 GPUs, so node 0 holds stages 0 and 1, node 1 stages 2 and 3;
  // pipeline (d, 0) = GPUs d, 4 + d, 8 + d, 12 + d: the 0 -> 1 and 2 -> 3 sends stay inside a node.
  const Placement p = Placement::make(4, 4, 1, 4, 2, 8).value();
  const auto pipe = p.pipeline(1, 0);
  ASSERT_EQ(pipe.size(), 4u);
  std::vector<int> nodes;
  for (std::size_t s = 0; s < pipe.size(); ++s) {
    EXPECT_EQ(pipe[s].value(), 4 * s + 1);
    nodes.push_back(p.location(pipe[s]).node);
  }
  EXPECT_EQ(nodes, (std::vector<int>{0, 0, 1, 1}));
  // A stage's DP group and its EP group are the stage's 4 GPUs, inside one node.
  EXPECT_EQ(p.dp_group(3, 0), (std::vector<GpuId>{GpuId(12), GpuId(13), GpuId(14), GpuId(15)}));
  EXPECT_EQ(p.ep_group_members(2, 0), (std::vector<GpuId>{GpuId(8), GpuId(9), GpuId(10), GpuId(11)}));
  // pp = 8 with one GPU per stage: the whole pipeline in one node.
  const Placement one = Placement::make(8, 1, 1, 1, 1, 8).value();
  for (GpuId g : one.pipeline(0, 0)) EXPECT_EQ(one.location(g).node, 0);
}

TEST(Placement, TpOverWholeNodesIsAllowed) {
  // TP16 on 4 nodes of 8, PP2: each TP group is two whole nodes (its collectives cross InfiniBand), and a
  // stage's dp x tp = 16 GPUs still fill whole nodes.
  const Placement p = Placement::make(2, 1, 16, 1, 4, 8).value();
  const auto tp = p.tp_group(1, 0);
  ASSERT_EQ(tp.size(), 16u);
  EXPECT_EQ(p.location(tp.front()).node, 2);
  EXPECT_EQ(p.location(tp.back()).node, 3);
}

}  // namespace
}  // namespace deepsim

namespace deepsim {
namespace {

// Context parallelism, tp fastest then cp: gpu = ((s * dp + d) * cp + c) * tp + t. TP2 x CP4 x DP2 on two
// 8-GPU nodes (PP1): dp rank d owns node d; its CP ring is cp ranks at stride tp = 2.
TEST(Placement, CpGroupsAreStrideTpInsideANode) {
  const Placement p = Placement::make(1, 2, 2, 1, 2, 8, 4).value();
  EXPECT_EQ(p.gpus(), 16);
  EXPECT_EQ(p.gpus_per_stage(), 16);
  auto ids = [](const std::vector<GpuId>& g) {
    std::vector<int> v;
    for (GpuId id : g) v.push_back(static_cast<int>(id.value()));
    return v;
  };
  EXPECT_EQ(ids(p.cp_group(0, 0, 0)), (std::vector<int>{0, 2, 4, 6}));
  EXPECT_EQ(ids(p.cp_group(0, 0, 1)), (std::vector<int>{1, 3, 5, 7}));
  EXPECT_EQ(ids(p.cp_group(0, 1, 0)), (std::vector<int>{8, 10, 12, 14}));
  EXPECT_EQ(ids(p.tp_group(0, 1, 2)), (std::vector<int>{12, 13}));  // (d 1, c 2): 8 + 2 x 2
  // Gradients reduce over every (dp, cp) rank of a TP rank: dp x cp = 8 GPUs, by d * cp + c.
  EXPECT_EQ(ids(p.dp_cp_group(0, 1)), (std::vector<int>{1, 3, 5, 7, 9, 11, 13, 15}));
  EXPECT_EQ(ids(p.dp_group(0, 0, 3)), (std::vector<int>{6, 14}));
  for (const GpuId g : p.cp_group(0, 1, 1)) EXPECT_EQ(p.location(g).node, 1);
  for (int g = 0; g < p.gpus(); ++g) {
    const GpuId id(static_cast<GpuId::rep>(g));
    EXPECT_EQ(p.gpu(p.coord(id)), id) << g;
  }
  EXPECT_EQ(p.coord(GpuId(13)), (RankCoord{0, 1, 1, 2}));
}

TEST(Placement, CpRingsOverWholeNodesAndEpDrawnFromCpRanks) {
  // CP16 on two nodes (tp 1): one ring of 16 GPUs, nodes 0 and 1; its wrap-around hop 15 -> 0 crosses.
  const Placement p = Placement::make(1, 1, 1, 16, 2, 8, 16).value();
  const auto ring = p.cp_group(0, 0, 0);
  ASSERT_EQ(ring.size(), 16u);
  EXPECT_NE(p.location(ring.back()).node, p.location(ring.front()).node);
  // EP is drawn from the dp x tp x cp GPUs of a stage: EP16 is the whole stage here.
  EXPECT_EQ(p.ep_groups_per_stage(), 1);
  EXPECT_EQ(p.ep_group_members(0, 0), ring);
  // PP2 x DP2 x CP4 x TP1 on 2 nodes: a stage is dp x cp = 8 GPUs, one node; pipeline neighbours differ.
  const Placement q = Placement::make(2, 2, 1, 8, 2, 8, 4).value();
  const auto pipe = q.pipeline(1, 0, 3);
  EXPECT_EQ(static_cast<int>(pipe[0].value()), 7);
  EXPECT_EQ(static_cast<int>(pipe[1].value()), 15);
  EXPECT_EQ(q.ep_rank(GpuId(13)), 5);
}

TEST(Placement, CpPlansThatCannotBeLaidOutAreErrors) {
  // tp x cp = 6 neither divides nor is a multiple of 8 GPUs per node.
  const auto six = Placement::make(1, 4, 2, 1, 3, 8, 3);
  ASSERT_FALSE(six.ok());
  EXPECT_NE(six.error().find("rule: a CP ring fits inside one node or is whole nodes: tp x cp = 6"), std::string::npos)
      << six.error();
  // pp x dp x tp x cp must be the cluster: 1 x 2 x 1 x 2 = 4 of 8 GPUs.
  const auto count = Placement::make(1, 2, 1, 1, 1, 8, 2);
  ASSERT_FALSE(count.ok());
  EXPECT_NE(count.error().find("pp x dp x tp x cp = 4"), std::string::npos) << count.error();
  // ep must divide dp x tp x cp: 16 does not divide 8.
  const auto ep = Placement::make(1, 2, 1, 16, 1, 8, 4);
  ASSERT_FALSE(ep.ok());
  EXPECT_NE(ep.error().find("rule: an EP group lies inside one stage: ep = 16 does not divide dp x tp x cp = 8"),
            std::string::npos)
      << ep.error();
  // The rule's key: parallel.cp for the ring.
  EXPECT_EQ(placement_problem(1, 4, 2, 1, 3, 8, 3).key, "parallel.cp");
}

}  // namespace
}  // namespace deepsim
