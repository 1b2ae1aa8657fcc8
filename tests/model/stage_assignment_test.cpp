// Layer-to-stage assignment: even split, extras to interior stages, embedding first, head and MTP last.
#include "sim/model/stage_assignment.h"

#include <gtest/gtest.h>

#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;

std::vector<int> counts(const std::vector<StageLayers>& stages) {
  std::vector<int> out;
  for (const auto& s : stages) out.push_back(s.num_layers);
  return out;
}

TEST(AssignLayers, DeepSeekV3On16Stages) {
  const auto stages = assign_layers(preset("deepseek-v3"), 16);
  // 61 = 16 * 3 + 13: the 13 extra layers go to interior stages 1..13; stages 0, 14 and 15 keep 3.
  const std::vector<int> expect = {3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3};
  EXPECT_EQ(counts(stages), expect);
  EXPECT_TRUE(stages.front().has_embedding);
  EXPECT_FALSE(stages.front().has_head);
  EXPECT_TRUE(stages.back().has_head);
  EXPECT_TRUE(stages.back().has_mtp);
  EXPECT_EQ(stages.back().end_layer(), 61);
  // Contiguous: each stage starts where the previous one ended.
  for (std::size_t s = 1; s < stages.size(); ++s) EXPECT_EQ(stages[s].first_layer, stages[s - 1].end_layer());
}

TEST(AssignLayers, ExtrasBeyondInteriorGoToStageZeroThenLast) {
  ModelSpec m = preset("llama-3.1-405b");
  m.layers = 11;  // 11 = 4 * 2 + 3 extras, 2 interior stages: stages 1, 2, then stage 0
  EXPECT_EQ(counts(assign_layers(m, 4)), (std::vector<int>{3, 3, 3, 2}));
  m.layers = 7;   // 7 = 2 * 3 + 1, no interior stage: the extra goes to stage 0
  EXPECT_EQ(counts(assign_layers(m, 2)), (std::vector<int>{4, 3}));
}

TEST(AssignLayers, OneStageHoldsEverythingAndDenseModelsHaveNoMtp) {
  const auto one = assign_layers(preset("qwen2.5-72b"), 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].num_layers, 80);
  EXPECT_TRUE(one[0].has_embedding && one[0].has_head);
  EXPECT_FALSE(one[0].has_mtp);
}

TEST(StageOps, LastStageRunsHeadLossAndMtp) {
  const ModelSpec m = preset("deepseek-v3");
  const auto stages = assign_layers(m, 16);
  const OpContext c{.tokens = 4096, .seq_len = 4096};
  const auto ops = stage_ops(m, stages.back(), c);
  EXPECT_EQ(ops.front().name, "L58/attn_norm");
  EXPECT_EQ(ops.back().name, "MTP0/mtp.loss");
  EXPECT_EQ(stage_ops(m, stages.front(), c).front().name, "embedding");
}

}  // namespace
}  // namespace deepsim
