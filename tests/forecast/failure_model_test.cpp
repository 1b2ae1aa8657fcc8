// The failure model against its closed forms (failure_model.h). Inputs used throughout: 1000 GPUs with an
// MTBF of 50,000 h and 125 nodes with 10,000 h:
//   lambda = 1000/50000 + 125/10000 = 0.02 + 0.0125 = 0.0325 /h, so M = 1/lambda = 30.7692 h.
// Checkpoint every tau = 1 h, writing C = 0.05 h (3 min); restart R = 0.25 h (15 min):
//   l = R + (tau + C)/2 = 0.25 + 0.525 = 0.775 h;  lambda l = 0.0251875.
// For T = 100 h of failure-free compute:
//   W = T (1 + C/tau) / (1 - lambda l) = 105 / 0.9748125 = 107.71302 h;  goodput = 100 / W = 0.9283929.
//   failures = lambda W = 3.5006732;  lost = failures x l = 2.7130217 h;  checkpoint time = T C / tau = 5 h.
// Young: sqrt(2 C M) = sqrt(3.0769231) = 1.7541160 h.
// Daly: x = C / (2M) = 8.125e-4; sqrt(2CM) (1 + sqrt(x)/3 + x/9) - C = 1.7209411 h.
#include "sim/forecast/failure_model.h"

#include <gtest/gtest.h>

#include "sim/core/error.h"

namespace deepsim {
namespace {

FailureInputs example() {
  FailureInputs in;
  in.gpus = 1000;
  in.nodes = 125;
  in.gpu_mtbf_h = 50000;
  in.node_mtbf_h = 10000;
  in.interval_h = 1;
  in.write_h = 0.05;
  in.restart_h = 0.25;
  return in;
}

TEST(FailureModel, RateAddsGpusAndNodes) { EXPECT_DOUBLE_EQ(failure_rate_per_h(example()), 0.0325); }

TEST(FailureModel, WallTimeGoodputAndLosses) {
  const FailureOutcome o = failure_outcome(example(), 100.0);
  EXPECT_NEAR(o.system_mtbf_h, 30.769231, 1e-6);
  EXPECT_NEAR(o.loss_per_failure_h, 0.775, 1e-12);
  EXPECT_NEAR(o.wall_h, 107.71302, 1e-5);
  EXPECT_NEAR(o.goodput, 0.9283929, 1e-7);
  EXPECT_NEAR(o.failures, 3.5006732, 1e-7);
  EXPECT_NEAR(o.lost_h, 2.7130217, 1e-7);
  EXPECT_NEAR(o.checkpoint_h, 5.0, 1e-12);
  // The parts add up: W = T + checkpoints + losses.
  EXPECT_NEAR(o.wall_h, 100.0 + o.checkpoint_h + o.lost_h, 1e-9);
}

TEST(FailureModel, YoungAndDaly) {
  const double m = 1.0 / 0.0325;
  EXPECT_NEAR(young_interval_h(0.05, m), 1.7541160, 1e-7);
  EXPECT_NEAR(daly_interval_h(0.05, m), 1.7209411, 1e-7);
  // Daly: a checkpoint longer than 2M means checkpointing once per MTBF.
  EXPECT_DOUBLE_EQ(daly_interval_h(5.0, 2.0), 2.0);
}

TEST(FailureModel, DalyIntervalBeatsNeighbours) {
  // Near the optimum the goodput falls off on both sides.
  FailureInputs in = example();
  const double best = daly_interval_h(in.write_h, 1.0 / failure_rate_per_h(in));
  const auto goodput = [&](double tau) {
    in.interval_h = tau;
    return failure_outcome(in, 100.0).goodput;
  };
  EXPECT_GT(goodput(best), goodput(best / 2));
  EXPECT_GT(goodput(best), goodput(best * 2));
}

TEST(FailureModel, NothingFailsMeansOnlyCheckpoints) {
  FailureInputs in = example();
  in.gpu_mtbf_h = 0;
  in.node_mtbf_h = 0;
  const FailureOutcome o = failure_outcome(in, 100.0);
  EXPECT_EQ(o.rate_per_h, 0.0);
  EXPECT_EQ(o.failures, 0.0);
  EXPECT_NEAR(o.wall_h, 105.0, 1e-12);  // T (1 + C / tau)
}

TEST(FailureModel, RunThatCannotFinishIsAnInputError) {
  FailureInputs in = example();
  in.restart_h = 40;  // lambda l = 0.0325 x 40.525 > 1
  EXPECT_THROW((void)failure_outcome(in, 100.0), InputError);
}

}  // namespace
}  // namespace deepsim
