#include "calibrate/src/measured_run.h"

#include <gtest/gtest.h>

#include "calib_test_util.h"
#include "sim/core/error.h"

namespace deepsim::calib {
namespace {

// Two steps: step 0 is warm-up (left out), step 1 is timed and 1 ms long. Kernels of step 1: a forward
// FP8 GEMM of 100 us with its shape, a backward one of 200 us, an attention kernel with FLOPs and bytes,
// and an NCCL kernel classified by name.
constexpr const char* kRun = R"({
  "schema": "deepsim.measured-run/1",
  "device": {"name": "NVIDIA H100 80GB HBM3", "sms": 132, "driver": "550.54.15", "cuda": "12.4"},
  "date": "2025-06-01T12:00:00Z",
  "executor": "deepsim-exec 0.1.0",
  "config": "name: tiny\nmodel:\n  preset: tiny\n",
  "steps": [
    {"index": 0, "start_ns": 0, "end_ns": 2000000, "warmup": true},
    {"index": 1, "start_ns": 2000000, "end_ns": 3000000}
  ],
  "kernels": [
    {"name": "fp8_gemm_warm", "stream": 7, "start_ns": 10, "end_ns": 500010, "step": 0, "phase": "F",
     "family": "gemm_fp8", "shape": {"m": 4096, "n": 2112, "k": 7168}},
    {"name": "fp8_gemm", "stream": 7, "start_ns": 2000000, "end_ns": 2100000, "grid": [132, 1, 1],
     "block": [384, 1, 1], "step": 1, "layer": 0, "op": "attn.q_a", "micro_batch": 0, "phase": "F",
     "family": "gemm_fp8", "shape": {"m": 4096, "n": 2112, "k": 7168}},
    {"name": "fp8_gemm_dgrad", "stream": 7, "start_ns": 2100000, "end_ns": 2300000, "step": 1, "layer": 0,
     "op": "attn.q_a", "micro_batch": 0, "phase": "B", "family": "gemm_fp8",
     "shape": {"m": 4096, "n": 7168, "k": 2112}},
    {"name": "flash_mla_fwd", "stream": 7, "start_ns": 2300000, "end_ns": 2350000, "step": 1, "phase": "F",
     "family": "attention_fwd", "flops": 1e11, "bytes": 1e8},
    {"name": "ncclDevKernel_AllGather_RING_LL", "stream": 9, "start_ns": 2350000, "end_ns": 2400000, "step": 1}
  ]
})";

TEST(MeasuredRun, ReadsDeviceStepsAndTaggedKernels) {
  const auto dir = test::scratch_dir();
  const MeasuredRun r = read_measured_run(test::write_file(dir / "run.json", kRun));
  EXPECT_EQ(r.device.catalog, "H100");
  EXPECT_EQ(r.device.cuda, "12.4");
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.timed_steps().size(), 1u);
  ASSERT_EQ(r.kernels.size(), 5u);
  EXPECT_EQ(r.kernels[1].grid[0], 132);
  EXPECT_EQ(r.kernels[1].op, "attn.q_a");
  EXPECT_EQ(r.kernels[2].phase, "B");
  EXPECT_EQ(r.kernels[4].kernel_class, "communication");
  EXPECT_NE(r.config_yaml.find("preset: tiny"), std::string::npos);

  // Samples: the timed kernels with a family and shape or counts: two GEMMs and the attention kernel.
  const std::vector<KernelSample> s = samples_from_run(r);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].time, Time::us(100));
  EXPECT_DOUBLE_EQ(s[0].op.flops.value(), 2.0 * 4096 * 2112 * 7168);
  EXPECT_EQ(s[2].op.family, OpFamily::kAttentionFwd);
  EXPECT_DOUBLE_EQ(s[2].op.bytes.value(), 1e8);
}

TEST(MeasuredRun, ErrorsPointAtTheOffendingLine) {
  const auto dir = test::scratch_dir();
  std::string bad = kRun;
  // Drop start_ns from the second kernel; its object starts on the line with "name": "fp8_gemm".
  bad.replace(bad.find("\"start_ns\": 2000000, \"end_ns\": 2100000"), 21, "");
  int line = 1;
  for (std::size_t i = 0; i < bad.find("{\"name\": \"fp8_gemm\","); ++i) line += bad[i] == '\n';
  try {
    (void)read_measured_run(test::write_file(dir / "bad.json", bad));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.pos().line, line);
    EXPECT_EQ(e.key(), "/kernels/1");
    EXPECT_NE(e.message().find("start_ns"), std::string::npos);
  }
  std::string phase = kRun;
  phase.replace(phase.find("\"phase\": \"B\""), 12, "\"phase\": \"X\"");
  EXPECT_THROW((void)read_measured_run(test::write_file(dir / "phase.json", phase)), InputError);
  std::string schema = kRun;
  schema.replace(schema.find("measured-run/1"), 14, "measured-run/9");
  EXPECT_THROW((void)read_measured_run(test::write_file(dir / "schema.json", schema)), InputError);
}

}  // namespace
}  // namespace deepsim::calib
