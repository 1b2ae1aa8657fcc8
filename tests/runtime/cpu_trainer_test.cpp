// CPU reference training: the loss falls on the learnable synthetic task, and a rerun repeats it exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/cpu_trainer.h"
#include "runtime_test_util.h"

namespace deepsim::runtime {
namespace {

ExecConfig fd_tiny_config() {
  ExecConfig c;
  c.name = "cpu-train";
  c.source_file = "test";
  c.model = test::tiny_fd_model();
  c.parallel.micro_batch_size = 2;
  c.parallel.micro_batches = 2;
  c.training.seq_len = 16;
  c.training.global_batch = 4;
  c.training.precision = Precision::kBf16;
  c.exec.steps = 40;
  c.exec.lr = 1e-2f;
  c.exec.warmup_steps = 2;
  c.exec.weight_decay = 0.f;
  c.exec.synthetic_noise = 0.05f;
  validate_exec_config(c);
  return c;
}

TEST(CpuTrainer, LossFallsOnTheSyntheticTask) {
  const ExecConfig c = fd_tiny_config();
  const MeasuredRun run = train_cpu_reference(c, 0, {});
  ASSERT_EQ(run.steps.size(), 40u);
  const double first = run.steps.front().loss;
  double last = 0.0;
  for (std::size_t i = 35; i < 40; ++i) last += run.steps[i].loss / 5.0;
  // Start near ln(24) * 1.3 (main + 0.3 MTP) = 4.13; a bigram rule with 5% noise is learnt well within 40 steps.
  EXPECT_NEAR(first, 1.3 * std::log(24.0), 0.3);
  EXPECT_LT(last, 0.75 * first);
  EXPECT_EQ(run.mode, "cpu-reference");
  EXPECT_EQ(run.steps[3].tokens, 4 * 16);
}

TEST(CpuTrainer, RerunIsBitIdentical) {
  const ExecConfig c = fd_tiny_config();
  const MeasuredRun a = train_cpu_reference(c, 3, {});
  const MeasuredRun b = train_cpu_reference(c, 3, {});
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(a.steps[i].loss, b.steps[i].loss);
}

}  // namespace
}  // namespace deepsim::runtime
