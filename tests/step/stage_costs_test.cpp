// Per-stage costs: the MTP module's MoE layer runs expert-parallel like a main MoE layer.
#include "sim/step/stage_costs.h"

#include <gtest/gtest.h>

#include "sim/hw/catalog.h"
#include "sim/model/presets.h"
#include "sim/perf/roofline_model.h"

namespace deepsim {
namespace {

TEST(StageCosts, MtpMoeLayerIsExpertParallelWithItsOwnAllToAll) {
  // DeepSeek-V3 on 16 stages, EP64: each GPU holds 256 / 64 = 4 experts. The last stage's MTP layer is
  // one more MoE layer (moe = true: the step graph gives it a dispatch and a combine), whose weight
  // gradient covers those 4 experts, like a main MoE layer's, not all 256; the stage's head-and-loss
  // piece after it holds no expert work at all.
  const ModelSpec m = *find_model_preset("deepseek-v3");
  const RooflineModel model(*find_gpu("H800"), default_roofline_params());
  StageCostContext c;
  c.ops = {.tokens = 4096, .seq_len = 4096, .tp = 1, .precision = Precision::kFp8, .causal = true};
  c.ep = 64;
  c.sms = 112;
  const auto stages = assign_layers(m, 16);
  const auto costs = stage_costs(m, stages, model, c);
  const StageCost& last = costs.back();
  ASSERT_EQ(last.layers.size(), static_cast<std::size_t>(stages.back().num_layers + m.mtp_depth));
  const LayerCost& main_moe = last.layers.front();
  const LayerCost& mtp = last.layers.back();
  EXPECT_EQ(mtp.layer, m.layers);
  EXPECT_TRUE(mtp.moe);
  EXPECT_TRUE(main_moe.moe);
  EXPECT_EQ(mtp.mlp.backward_weight, main_moe.mlp.backward_weight);
  EXPECT_EQ(mtp.mlp.forward, main_moe.mlp.forward);
  // Its attention piece also carries the MTP input norms and the eh projection, so it is longer.
  EXPECT_GT(mtp.attention.forward, main_moe.attention.forward);

  // The 256 experts' weight gradient the old costing put on this stage: 256 x 3 expert GEMMs of
  // d x I = 7168 x 2048 at K = 128 tokens each; its FP32 gradient read-modify-write alone is
  // 256 x 3 x 7168 x 2048 x 8 B = 90 GB, ~27 ms at 3.35 TB/s. The 4 local experts see the same FLOPs
  // (8192 tokens each) but 1/64 of those bytes: about 4.3 ms at the FP8 wgrad rate, plus the shared
  // expert and the casts; well under half the memory traffic alone of the old costing.
  const Time all_experts_rmw = Time::from_seconds_ceil(256.0 * 3 * 7168 * 2048 * 8 / 3350e9);
  EXPECT_LT(mtp.mlp.backward_weight, all_experts_rmw / 2);
}

}  // namespace
}  // namespace deepsim
