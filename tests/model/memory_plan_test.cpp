// Memory per GPU: states and activations of one DeepSeek-V3 stage by hand, the effect of each plan knob,
// and the published plan (PP16 DualPipe, EP64, ZeRO-1, DP128, R12) against the H800's 80 GB (R3).
#include "sim/model/memory_plan.h"

#include <gtest/gtest.h>

#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;

// DeepSeek-V3 pre-training (R12, R13, R16): 16 stages, DP 128, EP 64, no TP, one 4K sequence per
// micro-batch, DualPipe's PP + 1 = 17 micro-batches in flight and 2 parameter copies, FP8 recipe with
// the TR 3.4 recomputation.
MemoryPlan v3_plan() {
  return {.pp = 16, .dp = 128, .tp = 1, .ep = 64, .zero_stage = 1, .micro_batch_size = 1, .seq_len = 4096,
          .in_flight_micro_batches = 17, .param_copies = 2, .fp8 = true, .recompute = RecomputeMode::kPartial};
}

// Stage 1 holds layers 3..6: four MoE layers.
constexpr double kMla = 187'105'280;                    // attention projections of one layer
constexpr double kNorms = 2 * 7168 + 1536 + 512;        // layer norms + MLA's q_a/kv_a norms
constexpr double kRouter = 256.0 * 7168 + 256;          // gate + score bias
constexpr double kExpert = 3.0 * 7168 * 2048;           // 44,040,192
constexpr double kDensePerMoeLayer = kMla + kNorms + kRouter + kExpert;  // + the shared expert
constexpr double kExpertsPerMoeLayer = 256.0 / 64 * kExpert;              // 4 experts per GPU

TEST(MemoryPlan, DeepSeekV3StageOneStatesByHand) {
  MemoryPlan p = v3_plan();
  p.param_copies = 1;
  const StageMemory s = estimate_memory(preset("deepseek-v3"), p, Bytes(80e9)).stages[1];
  const double dense = 4 * kDensePerMoeLayer, expert = 4 * kExpertsPerMoeLayer;
  EXPECT_EQ(s.dense_params, static_cast<std::int64_t>(dense));
  EXPECT_EQ(s.expert_params, static_cast<std::int64_t>(expert));
  EXPECT_DOUBLE_EQ(s.weights.value(), 2 * (dense + expert));    // BF16
  EXPECT_DOUBLE_EQ(s.gradients.value(), 4 * (dense + expert));  // FP32
  // ZeRO-1: dense state over dp = 128 holders; an expert's over dp * tp / ep = 2 holders.
  const double sharded = dense / 128 + expert / 2;
  EXPECT_DOUBLE_EQ(s.master_weights.value(), 4 * sharded);       // FP32
  EXPECT_DOUBLE_EQ(s.optimizer_states.value(), 4 * sharded);     // two BF16 moments (R17)
}

TEST(MemoryPlan, DeepSeekV3StageOneActivationsByHand) {
  MemoryPlan p = v3_plan();
  p.param_copies = 1;
  const StageMemory s = estimate_memory(preset("deepseek-v3"), p, Bytes(80e9)).stages[1];
  // Kept per token of one MoE layer with recomputation (bytes): attention and FFN norm inputs BF16
  // 2 * 2*7168; q_a/kv_a norm inputs 2*(1536+512); attention O (BF16) and LSE 128*(2*128+4) + the RoPE
  // key 2*64; o_proj input FP8 16384; router input BF16 2*7168 + FP32 scores 4*256; shared SwiGLU input
  // FP8 2*2048; routed gate_up inputs FP8 8*7168 and SwiGLU inputs 8*2*2048. Sum = 192,128 B per token.
  const double per_token = 4 * 7168 + 2 * 2048 + 128 * 260 + 128 + 16384 + 2 * 7168 + 1024 + 4096 +
                           8 * 7168 + 8 * 4096;
  EXPECT_DOUBLE_EQ(per_token, 192'128.0);
  EXPECT_DOUBLE_EQ(s.activations_per_micro_batch.value(), 4 * 4096 * per_token);
  EXPECT_DOUBLE_EQ(s.activations.value(), 17 * s.activations_per_micro_batch.value());
}

TEST(MemoryPlan, DualPipeRankHoldsItsMirrorStage) {
  const ModelSpec m = preset("deepseek-v3");
  MemoryPlan one = v3_plan();
  one.param_copies = 1;
  const auto single = estimate_memory(m, one, Bytes(80e9)).stages;
  const auto dual = estimate_memory(m, v3_plan(), Bytes(80e9)).stages;
  // Rank 1 holds stages 1 and 14. Of its 17 micro-batches in flight, 16 - 1 = 15 are chunks of stage 1
  // (position 1 of one direction) and 1 + 1 = 2 of stage 14 (position 14 of the other).
  EXPECT_EQ(dual[1].dense_params, single[1].dense_params + single[14].dense_params);
  EXPECT_EQ(dual[1].expert_params, single[1].expert_params + single[14].expert_params);
  EXPECT_NEAR(dual[1].activations.value(),
              15 * single[1].activations_per_micro_batch.value() + 2 * single[14].activations_per_micro_batch.value(),
              1e-6 * dual[1].activations.value());
}

TEST(MemoryPlan, ZeroZeroAndBf16KeepMoreState) {
  const ModelSpec m = preset("deepseek-v3");
  MemoryPlan p = v3_plan();
  p.param_copies = 1;
  p.zero_stage = 0;
  const StageMemory z0 = estimate_memory(m, p, Bytes(80e9)).stages[1];
  const double held = static_cast<double>(z0.dense_params + z0.expert_params);
  EXPECT_DOUBLE_EQ(z0.master_weights.value(), 4 * held);  // unsharded
  p.fp8 = false;
  const StageMemory bf16 = estimate_memory(m, p, Bytes(80e9)).stages[1];
  EXPECT_DOUBLE_EQ(bf16.optimizer_states.value(), 8 * held);  // two FP32 moments
}

TEST(MemoryPlan, PublishedDeepSeekV3PlanFitsAnH800AndNeedsEp) {
  const ModelSpec m = preset("deepseek-v3");
  const Bytes h800(84'943'110'144.0);  // R3: 80 GB as the CUDA runtime reports it
  const MemoryEstimate est = estimate_memory(m, v3_plan(), h800);
  EXPECT_TRUE(est.fits()) << "peak stage " << est.peak().stage << ": " << est.peak().total().gb() << " GB";
  // Without EP every GPU would hold all 256 experts of its 7 MoE layers: 7 * 256 * 44M = 79B parameters,
  // 158 GB of BF16 weights alone.
  MemoryPlan no_ep = v3_plan();
  no_ep.ep = 1;
  EXPECT_FALSE(estimate_memory(m, no_ep, h800).fits());
}

}  // namespace
}  // namespace deepsim

namespace deepsim {
namespace {

// Megatron GPT with tied embeddings over two stages: the last stage keeps its own copy of the
// embedding matrix for the head (V/tp x d per rank); on one stage the matrix is held once. Mixed
// precision without ZeRO is 18 B per parameter (BF16 weights 2, FP32 gradients 4, master 4, AdamW 8),
// Korthikanti's Figure 1 "par_opt".
TEST(MemoryPlan, TiedEmbeddingsKeepACopyOnTheLastStage) {
  const ModelSpec m = testing::preset("gpt-22b");
  const MemoryPlan one{.pp = 1, .dp = 1, .tp = 8, .ep = 1, .zero_stage = 0, .micro_batch_size = 1,
                       .seq_len = 2048, .fp8 = false, .recompute = RecomputeMode::kFull};
  MemoryPlan two = one;
  two.pp = 2;
  const MemoryEstimate a = estimate_memory(m, one, Bytes(80e9)), b = estimate_memory(m, two, Bytes(80e9));
  const std::int64_t table = 51200LL / 8 * 6144;
  const std::int64_t split = b.stages[0].dense_params + b.stages[1].dense_params;
  EXPECT_EQ(split, a.stages[0].dense_params + table);
  EXPECT_DOUBLE_EQ(b.stages[1].states().value(), 18.0 * static_cast<double>(b.stages[1].dense_params));
}

// The per-stage loads are memoised per (model, pp, micro-batch shape): a model that differs in one
// field, asked for right after, must not get the first model's figures, and the EP split (not part of
// the memo key) still applies.
TEST(MemoryPlan, MemoisedStageLoadsFollowTheModelAndTheEpDegree) {
  const ModelSpec v3 = testing::preset("deepseek-v3");
  ModelSpec wider = v3;
  wider.moe.expert_intermediate *= 2;
  const MemoryPlan p = v3_plan();
  const StageMemory a = estimate_memory(v3, p, Bytes(80e9)).stages[1];
  const StageMemory b = estimate_memory(wider, p, Bytes(80e9)).stages[1];
  EXPECT_GT(b.expert_params, a.expert_params);
  EXPECT_EQ(estimate_memory(v3, p, Bytes(80e9)).stages[1].expert_params, a.expert_params);  // a hit, same figure
  MemoryPlan ep32 = p;
  ep32.ep = 32;
  EXPECT_EQ(estimate_memory(v3, ep32, Bytes(80e9)).stages[1].expert_params, 2 * a.expert_params);
}

}  // namespace
}  // namespace deepsim

namespace deepsim {
namespace {

// ZeRO stages 0, 1, 2 by hand: Llama-3-8B (8,030,261,248 parameters, dense_presets_test) on one stage,
// DP8, no TP, mixed precision (BF16 weights 2 B, FP32 gradients 4 B, FP32 master 4 B, FP32 AdamW
// moments 8 B per parameter). ZeRO-1 divides master and moments by dp = 8; ZeRO-2 the gradients too;
// the BF16 compute weights stay whole on every rank in all three.
TEST(MemoryPlan, ZeroStagesShardStatesOverDpByHand) {
  const ModelSpec m = preset("llama-3-8b");
  constexpr double kParams = 8'030'261'248.0;
  MemoryPlan p{.pp = 1, .dp = 8, .tp = 1, .ep = 1, .zero_stage = 0, .micro_batch_size = 1, .seq_len = 2048,
               .fp8 = false};
  struct Want {
    double grads, master, moments;
  };
  const Want want[] = {{4 * kParams, 4 * kParams, 8 * kParams},
                       {4 * kParams, 4 * kParams / 8, 8 * kParams / 8},
                       {4 * kParams / 8, 4 * kParams / 8, 8 * kParams / 8}};
  for (int z = 0; z <= 2; ++z) {
    p.zero_stage = z;
    const StageMemory s = estimate_memory(m, p, Bytes(80e9)).stages[0];
    ASSERT_EQ(s.dense_params + s.expert_params, static_cast<std::int64_t>(kParams)) << z;
    EXPECT_DOUBLE_EQ(s.weights.value(), 2 * kParams) << z;
    EXPECT_DOUBLE_EQ(s.gradients.value(), want[z].grads) << z;
    EXPECT_DOUBLE_EQ(s.master_weights.value(), want[z].master) << z;
    EXPECT_DOUBLE_EQ(s.optimizer_states.value(), want[z].moments) << z;
  }
  // States per rank: 18 B, then 2 + 4 + 12/8 = 7.5 B, then 2 + 16/8 = 4 B per parameter.
  p.zero_stage = 2;
  EXPECT_DOUBLE_EQ(estimate_memory(m, p, Bytes(80e9)).stages[0].states().value(), 4 * kParams);
}

}  // namespace
}  // namespace deepsim
