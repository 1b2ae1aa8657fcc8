#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sim/parallel/schedules.h"
#include "sim/step/step_graph.h"
#include "sim/step/task_info.h"

namespace deepsim {
namespace {

StepTaskInfo info(StepOp op, int layer, int mb, int stage, std::uint8_t flags = 0, std::uint16_t bucket = 0) {
  StepTaskInfo t;
  t.op = op;
  t.layer = layer;
  t.mb = mb;
  t.stage = stage;
  t.label_flags = flags;
  t.bucket = bucket;
  return t;
}

// The label formats the traces carry in each slice's args (and timelines read the micro-batch from),
// written out by hand per op.
TEST(StepTaskLabel, EveryOpKeepsItsTraceLabel) {
  EXPECT_EQ(step_task_label(info(StepOp::kNone, -1, -1, -1)), "");
  EXPECT_EQ(step_task_label(info(StepOp::kEmbedFwd, -1, 0, 0)), "embed mb0 s0");
  EXPECT_EQ(step_task_label(info(StepOp::kEmbedWgrad, -1, 3, 0)), "embed-bwd W mb3 s0");
  EXPECT_EQ(step_task_label(info(StepOp::kHeadDgrad, -1, 12, 15)), "head-bwd mb12 s15");
  EXPECT_EQ(step_task_label(info(StepOp::kAttnFwd, 7, 2, 1)), "attn L7 mb2 s1");
  EXPECT_EQ(step_task_label(info(StepOp::kAttnWgrad, 7, 2, 1)), "attn-bwd L7 W mb2 s1");
  EXPECT_EQ(step_task_label(info(StepOp::kMoeDgrad, 60, 119, 15)), "moe-bwd L60 mb119 s15");
  EXPECT_EQ(step_task_label(info(StepOp::kFfnFwd, 0, 0, 0)), "ffn L0 mb0 s0");
  EXPECT_EQ(step_task_label(info(StepOp::kStageWgrad, -1, 4, 2)), "W mb4 s2");
  EXPECT_EQ(step_task_label(info(StepOp::kDispatch, 5, 1, 1)), "dispatch mb1 s1");
  EXPECT_EQ(step_task_label(info(StepOp::kCombineBwd, 5, 1, 1)), "combine-bwd mb1 s1");
  EXPECT_EQ(step_task_label(info(StepOp::kTpAllReduce, 3, 0, 1)), "tp-ar attn L3 mb0 s1");
  EXPECT_EQ(step_task_label(info(StepOp::kTpReduceScatter, 3, 0, 1, kLabelMlp | kLabelBwd)), "tp-rs mlp-bwd L3 mb0 s1");
  EXPECT_EQ(step_task_label(info(StepOp::kTpAllGather, 3, 0, 1, kLabelRerun)), "tp-ag attn-rerun L3 mb0 s1");
  EXPECT_EQ(step_task_label(info(StepOp::kSendActivation, -1, 7, 2)), "send-act mb7");
  EXPECT_EQ(step_task_label(info(StepOp::kSendGradient, -1, 7, 2)), "send-grad mb7");
  EXPECT_EQ(step_task_label(info(StepOp::kDpSync, -1, -1, -1)), "dense grad reduce-scatter");
  EXPECT_EQ(step_task_label(info(StepOp::kDpSync, -1, -1, -1, kLabelExpert | kLabelAllReduce)), "expert grad all-reduce");
  EXPECT_EQ(step_task_label(info(StepOp::kDpSync, -1, -1, 3, kLabelAllGather | kLabelBucket, 12)),
            "dense param all-gather s3 bucket 12");
  EXPECT_EQ(step_task_label(info(StepOp::kOptimizer, -1, -1, -1)), "AdamW step");
}

StepTaskInfo ring_info(StepOp op, CpRingLabel ring, int step) {
  StepTaskInfo t = info(op, 9, 4, 2);
  t.ring = ring;
  t.index = static_cast<std::uint16_t>(step);
  return t;
}

// Context parallelism's ring steps and sends, the ops after the core, and ZeRO-2's per-micro-batch
// bucket reduce-scatters (index = 1 + the micro-batch).
TEST(StepTaskLabel, ContextParallelRingAndZero2Buckets) {
  EXPECT_EQ(step_task_label(ring_info(StepOp::kAttnFwd, CpRingLabel::kKv, 0)), "attn-kv L9 step0 mb4 s2");
  EXPECT_EQ(step_task_label(ring_info(StepOp::kAttnDgrad, CpRingLabel::kKvBwd, 3)), "attn-kv-bwd L9 step3 mb4 s2");
  EXPECT_EQ(step_task_label(ring_info(StepOp::kAttnDgrad, CpRingLabel::kKvRerun, 1)), "attn-kv-rerun L9 step1 mb4 s2");
  EXPECT_EQ(step_task_label(ring_info(StepOp::kCpRingSend, CpRingLabel::kKv, 1)), "cp-kv L9 step1 mb4 s2");
  EXPECT_EQ(step_task_label(ring_info(StepOp::kCpRingSend, CpRingLabel::kKvBwd, 7)), "cp-kv-bwd L9 step7 mb4 s2");
  EXPECT_EQ(step_task_label(info(StepOp::kAttnFwd, 9, 4, 2, kLabelPost)), "attn L9 post mb4 s2");
  EXPECT_EQ(step_task_label(info(StepOp::kAttnDgrad, 9, 4, 2, kLabelPost)), "attn-bwd L9 post mb4 s2");
  StepTaskInfo z = info(StepOp::kDpSync, -1, -1, 1, kLabelExpert | kLabelBucket, 2);
  z.index = 6;  // micro-batch 5
  EXPECT_EQ(step_task_label(z), "expert grad reduce-scatter s1 bucket 2 mb5");
  static_assert(sizeof(StepTaskInfo) == 40, "the ring and index fields sit in StepTaskInfo's padding");
}

// A 2-stage 1F1B step of one dense layer per stage with an optimizer: the builder leaves its tasks
// unlabelled (label 0, no string work) and each task's info rebuilds its label.
TEST(StepTaskLabel, BuilderRecordsWhatTheLabelNeeds) {
  StepInputs in;
  for (int s = 0; s < 2; ++s) {
    StageCost sc;
    sc.stage = s;
    LayerCost l;
    l.layer = s;
    l.attention = {Time::us(10), Time::us(12), Time::us(8)};
    sc.layers.push_back(l);
    in.stages.push_back(sc);
  }
  in.rank_gpu = {0, 1};
  in.optimizer = {Time::us(5), Time::us(5)};
  const StepGraph g = build_step_graph(make_1f1b(2, 2).value(), in);
  ASSERT_EQ(g.info.size(), g.graph.size());
  std::set<std::string> labels;
  for (std::size_t i = 0; i < g.graph.size(); ++i) {
    EXPECT_EQ(g.graph.tasks()[i].label, 0u);
    labels.insert(step_task_label(g.info[i]));
  }
  for (const char* want : {"attn L0 mb0 s0", "attn L1 mb1 s1", "attn-bwd L0 mb1 s0", "attn-bwd L1 W mb0 s1",
                           "send-act mb0", "send-grad mb1", "AdamW step"})
    EXPECT_EQ(labels.count(want), 1u) << want;
}

}  // namespace
}  // namespace deepsim
