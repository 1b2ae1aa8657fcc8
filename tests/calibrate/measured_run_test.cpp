#include "calibrate/src/measured_run.h"

#include <gtest/gtest.h>

#include "calib_test_util.h"
#include "sim/core/error.h"
#include "sim/hw/catalog.h"

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

// One kernel of a measured run, as the executor writes it.
std::string kernel(const std::string& name, long start_ns, long dur_ns, int step, const std::string& op,
                   const std::string& phase, const std::string& family, const std::string& shape = "") {
  std::string k = R"({"name": ")" + name + R"(", "start_ns": )" + std::to_string(start_ns) + R"(, "end_ns": )" +
                  std::to_string(start_ns + dur_ns) + R"(, "step": )" + std::to_string(step) + R"(, "op": ")" + op +
                  R"(", "phase": ")" + phase + R"(", "family": ")" + family + "\"";
  if (!shape.empty()) k += R"(, "shape": )" + shape;
  return k + "}";
}

// A run file made here: per timed step, one FP8 Linear forward as the executor before this fix tagged it
// (the two quantisers, cuBLASLt's GEMM and its split-K reduction all carry gemm_fp8 and the GEMM's shape)
// and one weight-gradient GEMM as it is tagged now (transposing quantisers and accumulate memory_bound).
// Exactly one GEMM sample per GEMM launch: 2 launches x 2 timed steps = 4, each with the GEMM kernel's time.
TEST(MeasuredRun, OneGemmSamplePerGemmLaunch) {
  const std::string shape = R"({"m": 256, "n": 1024, "k": 512})";
  const std::string wshape = R"({"m": 1024, "n": 512, "k": 256})";
  std::string kernels;
  int launches = 0;
  for (int step = 0; step < 3; ++step) {
    const long t0 = 1000000L * step;
    const std::vector<std::string> ks = {
        kernel("deepsim::kernels::quant_1x128_kernel(...)", t0 + 1000, 5000, step, "mla.q_b", "F", "gemm_fp8", shape),
        kernel("deepsim::kernels::quant_128x128_kernel(...)", t0 + 7000, 6000, step, "mla.q_b", "F", "gemm_fp8", shape),
        kernel("nvjet_sm90_qqtst_128x128_128x6_1x1_h_bz_TNN", t0 + 14000, 40000, step, "mla.q_b", "F", "gemm_fp8", shape),
        kernel("void cublasLt::splitKreduce_kernel<32, 16, int, float>(...)", t0 + 55000, 3000, step, "mla.q_b", "F",
               "gemm_fp8", shape),
        kernel("deepsim::kernels::quant_1x128_transposed_kernel(...)", t0 + 60000, 7000, step, "mla.q_b.fp8_quant", "W",
               "memory_bound"),
        kernel("nvjet_sm90_qqtst_64x128_128x6_1x1_h_bz_TNN", t0 + 70000, 30000, step, "mla.q_b", "W", "gemm_fp8", wshape),
        kernel("accumulate_kernel", t0 + 101000, 2000, step, "mla.q_b.accumulate", "W", "memory_bound")};
    for (const std::string& k : ks) kernels += (kernels.empty() ? "" : ",\n") + k;
    if (step > 0) launches += 2;
  }
  const std::string run = R"({"schema": "deepsim.measured-run/1", "device": {"name": "NVIDIA H200", "sms": 132},
    "date": "2026-12-01T00:00:00Z",
    "steps": [{"index": 0, "start_ns": 0, "end_ns": 999999, "warmup": true},
              {"index": 1, "start_ns": 1000000, "end_ns": 1999999}, {"index": 2, "start_ns": 2000000, "end_ns": 2999999}],
    "kernels": [)" + kernels + "]}";
  const auto dir = test::scratch_dir();
  const MeasuredRun r = read_measured_run(test::write_file(dir / "run.json", run));
  const std::vector<KernelSample> s = samples_from_run(r);
  ASSERT_EQ(static_cast<int>(s.size()), launches);
  for (std::size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].op.family, OpFamily::kGemmFp8);
    EXPECT_EQ(s[i].time, i % 2 == 0 ? Time::us(40) : Time::us(30)) << s[i].origin;  // the GEMM kernel alone
  }
  EXPECT_DOUBLE_EQ(s[0].op.flops.value(), 2.0 * 256 * 1024 * 512);
  // The auxiliaries are memory-bound work of the same op, kept for per-class totals.
  EXPECT_EQ(r.kernels[0].kernel_class, "memory_bound");
  EXPECT_EQ(r.kernels[3].kernel_class, "memory_bound");
  EXPECT_FALSE(r.kernels[0].work.has_value());
  EXPECT_EQ(r.kernels[2].kernel_class, "gemm_fp8");
}

// The name the device reported decides the catalog GPU, not a "catalog" key (the executor used to write the
// scenario's cluster.gpu there); the recorded bandwidth and SMs override the catalog entry.
TEST(MeasuredRun, TheDeviceThatRanDecidesTheCatalogEntry) {
  const std::string run = R"({"schema": "deepsim.measured-run/1",
    "device": {"name": "NVIDIA H200", "sms": 132, "catalog": "H100", "memory_bandwidth_gbps": 4000.0},
    "date": "2026-12-01T00:00:00Z", "steps": [{"index": 0, "start_ns": 0, "end_ns": 10}], "kernels": []})";
  const auto dir = test::scratch_dir();
  const MeasuredRun r = read_measured_run(test::write_file(dir / "run.json", run));
  EXPECT_EQ(r.device.catalog, "H200");
  const auto spec = device_gpu_spec(r.device);
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->name, "H200");
  EXPECT_DOUBLE_EQ(spec->hbm_bandwidth.gb_per_s(), 4000.0);  // measured, not the datasheet's 4800
  // Fewer SMs than the catalog part (a cut-down SKU): peaks scale with the SMs.
  DeviceInfo cut = r.device;
  cut.sms = 66;
  EXPECT_DOUBLE_EQ(device_gpu_spec(cut)->bf16_dense.per_s(), find_gpu("H200")->bf16_dense.per_s() / 2);
  DeviceInfo unknown{"Mystery GPU", "", 10, "", "", 0, 0};
  EXPECT_FALSE(device_gpu_spec(unknown).has_value());
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
