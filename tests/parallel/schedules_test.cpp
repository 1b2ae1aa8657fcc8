// Schedule generators: settings they refuse, the instruction order for small cases written out by hand,
// and the per-rank counts that reference R16 derives from dualpipe.py's step().
#include "sim/parallel/schedules.h"

#include <gtest/gtest.h>

#include "sim/parallel/schedule_check.h"

namespace deepsim {
namespace {

TEST(Schedules, ImpossibleSettingsAreErrors) {
  EXPECT_NE(make_dualpipe(3, 12).error().find("even pp"), std::string::npos);
  EXPECT_NE(make_dualpipe(4, 9).error().find("even number of micro-batches"), std::string::npos);
  EXPECT_NE(make_dualpipe(4, 6).error().find(">= 2 x pp = 8"), std::string::npos);
  EXPECT_TRUE(make_dualpipe(4, 8).ok());
  EXPECT_NE(make_dualpipev(5, 10).error().find("even number of stages"), std::string::npos);
  EXPECT_NE(make_dualpipev(8, 7).error().find("micro-batches >= 2 x ranks"), std::string::npos);
  EXPECT_TRUE(make_dualpipev(8, 9).ok());  // DualPipeV takes odd micro-batch counts
  EXPECT_NE(make_interleaved_1f1b(4, 6, 2).error().find("multiple of pp"), std::string::npos);
  EXPECT_FALSE(make_1f1b(0, 4).ok());
  EXPECT_FALSE(make_gpipe(4, 0).ok());
  EXPECT_FALSE(make_zb1p(-1, 4).ok());
}

TEST(Schedules, OneFOneBOrderForFourRanks) {
  // Rank r warms up with pp-1-r forwards, then alternates F and B, then drains.
  const Schedule s = make_1f1b(4, 6).value();
  EXPECT_EQ(render_order(s),
            "r0: F0 F1 F2 F3 B0 F4 B1 F5 B2 B3 B4 B5\n"
            "r1: F0 F1 F2 B0 F3 B1 F4 B2 F5 B3 B4 B5\n"
            "r2: F0 F1 B0 F2 B1 F3 B2 F4 B3 F5 B4 B5\n"
            "r3: F0 B0 F1 B1 F2 B2 F3 B3 F4 B4 F5 B5\n");
}

TEST(Schedules, SendsAndReceivesSurroundTheirCompute) {
  // Middle rank of a 3-rank 1F1B with one micro-batch: receive, compute, send in both directions.
  const Schedule s = make_1f1b(3, 1).value();
  const std::vector<Instr> expect = {
      {PipeOp::kRecvActivation, {0, 0}, {}, 0}, {PipeOp::kForward, {0, 0}, {}, -1}, {PipeOp::kSendActivation, {0, 0}, {}, 2},
      {PipeOp::kRecvGradient, {0, 0}, {}, 2},   {PipeOp::kBackward, {0, 0}, {}, -1}, {PipeOp::kSendGradient, {0, 0}, {}, 0},
  };
  EXPECT_EQ(s.program[1], expect);
}

TEST(Schedules, Zb1pDefersWeightsByRank) {
  // Rank r holds r W's back behind its B's (b = input backward); the first rank is 1F1B with B split.
  const Schedule s = make_zb1p(3, 4).value();
  EXPECT_EQ(render_order(s),
            "r0: F0 F1 F2 b0 W0 F3 b1 W1 b2 W2 b3 W3\n"
            "r1: F0 F1 b0 F2 b1 W0 F3 b2 W1 b3 W2 W3\n"
            "r2: F0 b0 F1 b1 F2 b2 W0 F3 b3 W1 W2 W3\n");
}

TEST(Schedules, DualPipeFourRanksMatchesStepOrder) {
  // dualpipe.py step() for 4 ranks, 8 micro-batches: 0-3 go down on chunk 0, 4-7 come up on chunk 1.
  // Rank 0 (h = 0, n = 2 half ranks): step 1 F0 F1; step 2 F2 F4; step 3 b4 W4 F5; step 4 (m/2-4+1 = 1
  // round) F3|B5 F6|B0; step 5 B6 F7|B1; step 6 (h+1 = 1 round, h even: split after the first) B7 b2;
  // step 7 W2 b3; step 8 W3. Rank 3 is rank 0's mirror on the other direction; ranks 1 and 2 are the
  // middle ranks, whose first main-step pair runs unoverlapped (F2 then B4 on rank 1).
  const Schedule s = make_dualpipe(4, 8).value();
  EXPECT_EQ(render_order(s),
            "r0: F0.0 F1.0 F2.0 F4.1 b4.1 W4.1 F5.1 F3.0|B5.1 F6.1|B0.0 B6.1 F7.1|B1.0 B7.1 b2.0 W2.0 b3.0 W3.0\n"
            "r1: F0.0 F4.1 F1.0 F5.1 F2.0 B4.1 F6.1|B0.0 F3.0|B5.1 F7.1|B1.0 B6.1 B2.0 b7.1 b3.0 W7.1 W3.0\n"
            "r2: F4.1 F0.0 F5.1 F1.0 F6.1 B0.0 F2.0|B4.1 F7.1|B1.0 F3.0|B5.1 B2.0 B6.1 b3.0 b7.1 W3.0 W7.1\n"
            "r3: F4.1 F5.1 F6.1 F0.0 b0.0 W0.0 F1.0 F7.1|B1.0 F2.0|B4.1 B2.0 F3.0|B5.1 B3.0 b6.1 W6.1 b7.1 W7.1\n");
}

TEST(Schedules, DualPipeR16CountsForSixteenRanks) {
  // Reference R16 for R = 16 ranks, C = 120 micro-batches, half rank h: step() calls the overlapped
  // F&B 2(C/2 - R + h + 1) + (R/2 - h - 1) = 97 + h times and runs 2(R/2-h-1) + 2(h+1) + (R/2-h-1) =
  // 23 - h forward-only chunks. The two middle ranks (h = 7) run their first main-step pair as a
  // separate F and B (dualpipe.py: "We don't overlap these two chunks"), so they show one F&B fewer
  // (103) and one forward more (17).
  const Schedule s = make_dualpipe(16, 120).value();
  const ScheduleCheck c = check_schedule(s).value();
  for (int r = 0; r < 16; ++r) {
    const int h = std::min(r, 15 - r);
    const int middle = h == 7 ? 1 : 0;
    EXPECT_EQ(c.forward_backward_pairs[static_cast<std::size_t>(r)], 97 + h - middle) << "rank " << r;
    EXPECT_EQ(c.forwards[static_cast<std::size_t>(r)], 23 - h + middle) << "rank " << r;
  }
}

TEST(Schedules, MemoryFactorsMatchR16Table) {
  // Activations in units of one micro-batch's activations of one stage; parameters in stages.
  const ScheduleCheck one_f = check_schedule(make_1f1b(8, 24).value()).value();
  EXPECT_EQ(one_f.activation_factor[0], 8.0);  // PP on the first rank
  EXPECT_EQ(one_f.parameter_factor[0], 1.0);
  const ScheduleCheck zb = check_schedule(make_zb1p(8, 24).value()).value();
  EXPECT_EQ(zb.activation_factor[0], 8.0);
  EXPECT_EQ(zb.parameter_factor[0], 1.0);
  for (int pp : {4, 8, 16}) {
    const ScheduleCheck dp = check_schedule(make_dualpipe(pp, 4 * pp).value()).value();
    const ScheduleCheck dv = check_schedule(make_dualpipev(pp, 3 * pp).value()).value();
    ASSERT_EQ(dv.parameter_factor.size(), static_cast<std::size_t>(pp / 2));  // PP/2 devices
    for (double a : dp.activation_factor) EXPECT_EQ(a, pp + 1.0);  // PP+1 on every rank
    for (double p : dp.parameter_factor) EXPECT_EQ(p, 2.0);
    for (double a : dv.activation_factor) EXPECT_EQ(a, pp + 1.0);
    for (double p : dv.parameter_factor) EXPECT_EQ(p, 2.0);
  }
  // Interleaved: v chunks of 1/v stage each hold the same parameters as one stage.
  const ScheduleCheck il = check_schedule(make_interleaved_1f1b(4, 8, 2).value()).value();
  EXPECT_EQ(il.parameter_factor[0], 1.0);
}

TEST(Schedules, MakeScheduleFollowsTheSpec) {
  ParallelSpec spec;
  spec.pp = 8;
  spec.micro_batches = 16;
  spec.schedule = ScheduleKind::kDualPipeV;  // 8 pipeline ranks = 16 stages
  const Schedule s = make_schedule(spec).value();
  EXPECT_EQ(s.ranks, 8);
  EXPECT_EQ(s.pp, 16);
  spec.schedule = ScheduleKind::kInterleaved1F1B;
  spec.virtual_stages = 2;
  EXPECT_EQ(make_schedule(spec).value().chunks_per_rank, 2);
}

}  // namespace
}  // namespace deepsim
