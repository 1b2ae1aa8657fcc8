// Parameter layout: shapes of the model's tensors, pipeline and expert shards, aligned offsets.
#include <gtest/gtest.h>

#include "runtime/config.h"
#include "runtime/param_layout.h"
#include "runtime_test_util.h"

namespace deepsim::runtime {
namespace {

TEST(ParamLayout, FullModelHasEveryTensorWithItsShape) {
  const ModelConfig m = test::tiny_fd_model();
  const ParamLayout l(m, full_model_shard(m));
  EXPECT_EQ(l.at(ParamKind::kWqB, 0).rows, 2 * (4 + 4));
  EXPECT_EQ(l.at(ParamKind::kWkvA, 1).rows, 8 + 4);
  EXPECT_EQ(l.at(ParamKind::kWkvB, 1).rows, 2 * (4 + 6));
  EXPECT_EQ(l.at(ParamKind::kWo, 0).cols, 2 * 6);
  EXPECT_EQ(l.find(ParamKind::kGate, 0), -1);  // layer 0 is dense
  EXPECT_EQ(l.at(ParamKind::kExpertW13, 1).rows, 4 * 2 * 8);
  EXPECT_EQ(l.at(ParamKind::kMtpProj, 2).cols, 2 * 16);
  EXPECT_GE(l.find(ParamKind::kGate, 2), 0);   // the MTP block routes
  for (const ParamEntry& e : l.entries()) EXPECT_EQ(e.offset % 64, 0u);
}

TEST(ParamLayout, PipelineAndExpertShards) {
  ModelConfig m = test::tiny_fd_model();
  m.layers = 5;
  const ShardSpec s0 = pipeline_shard(m, 2, 0, 2, 1);
  const ShardSpec s1 = pipeline_shard(m, 2, 1, 2, 1);
  EXPECT_EQ(s0.first_layer, 0);
  EXPECT_EQ(s0.last_layer, 3);
  EXPECT_EQ(s1.first_layer, 3);
  EXPECT_EQ(s1.last_layer, 5);
  EXPECT_EQ(s1.first_expert, 2);
  EXPECT_EQ(s1.local_experts, 2);
  const ParamLayout l0(m, s0);
  const ParamLayout l1(m, s1);
  EXPECT_GE(l0.find(ParamKind::kEmbed, -1), 0);
  EXPECT_EQ(l0.find(ParamKind::kHead, -1), -1);
  EXPECT_GE(l1.find(ParamKind::kHead, -1), 0);
  EXPECT_GE(l1.find(ParamKind::kEmbed, -1), 0);  // MTP's own copy of the embedding on the last stage
  EXPECT_EQ(l1.at(ParamKind::kExpertW13, 3).rows, 2 * 2 * 8);
  EXPECT_EQ(l1.at(ParamKind::kExpertW13, 3).group, ParamGroup::kExpert);
}

}  // namespace
}  // namespace deepsim::runtime
