// The measured-run JSON carries the schema's fields and the trace has one track per stream.
#include <gtest/gtest.h>

#include "runtime/measured_run.h"

namespace deepsim::runtime {
namespace {

MeasuredRun sample_run() {
  MeasuredRun r;
  r.device = DeviceRecord{"NVIDIA H200", 90, 132, 13000, 13000, "2026-11-23T00:00:00Z", "H100"};
  r.device.memory_bandwidth_gbps = 4800;
  r.device.sm_clock_khz = 1980000;
  r.config = {{"schema", 1}};
  r.config_yaml = "schema: 1\n";
  r.steps = {{0, 12.5, 1024, 6.2, 500, 1500}, {1, 11.0, 1024, 5.9, 1600, 5000}};
  KernelTag attn{3, "attention", 1, 'F', "attention_fwd", 0, 0, 0};
  KernelTag gemm{3, "mla.o_proj", 1, 'W', "gemm_fp8", 128, 256, 512};
  r.kernels = {{"flash_fwd", 7, 1000, 3000, {4, 2, 1}, {128, 1, 1}, attn},
               {"gemm_a", 9, 2000, 2500, {8, 1, 1}, {256, 1, 1}, gemm},
               {"gemm_a", 9, 4000, 4800, {8, 1, 1}, {256, 1, 1}, gemm}};
  r.high_water_bytes = 123456789;
  return r;
}

// docs/measured-run.md: schema string, device, date, steps {index, start_ns, end_ns, warmup}, kernels with
// their step, tag and GEMM shape.
TEST(MeasuredRun, JsonFollowsDocsMeasuredRun) {
  const auto j = to_json(sample_run());
  EXPECT_EQ(j["schema"], "deepsim.measured-run/1");
  EXPECT_EQ(j["date"], "2026-11-23T00:00:00Z");
  EXPECT_EQ(j["device"]["sms"], 132);
  EXPECT_EQ(j["device"]["cuda"], "13.0");
  // The device that ran, never the scenario's catalog GPU as "catalog" (calibrate/ would calibrate an H200
  // run with H100 figures).
  EXPECT_FALSE(j["device"].contains("catalog"));
  EXPECT_EQ(j["device"]["name"], "NVIDIA H200");
  EXPECT_EQ(j["device"]["scenario_gpu"], "H100");
  EXPECT_EQ(j["device"]["memory_bandwidth_gbps"], 4800);
  EXPECT_EQ(j["device"]["sm_clock_khz"], 1980000);
  EXPECT_EQ(j["config"], "schema: 1\n");
  EXPECT_EQ(j["ranks"], 1);
  ASSERT_EQ(j["steps"].size(), 2u);
  EXPECT_EQ(j["steps"][0]["index"], 0);
  EXPECT_EQ(j["steps"][0]["warmup"], true);
  EXPECT_EQ(j["steps"][1]["warmup"], false);
  EXPECT_EQ(j["steps"][1]["end_ns"], 5000u);
  EXPECT_EQ(j["steps"][1]["loss"], 5.9);
  ASSERT_EQ(j["kernels"].size(), 3u);
  EXPECT_EQ(j["kernels"][0]["step"], 0);  // starts at 1000, inside step 0 [500, 1500]
  EXPECT_EQ(j["kernels"][2]["step"], 1);
  const auto& k = j["kernels"][1];
  for (const char* f : {"name", "stream", "start_ns", "end_ns", "grid", "block", "layer", "op", "micro_batch", "phase",
                        "family", "shape"})
    EXPECT_TRUE(k.contains(f)) << f;
  EXPECT_EQ(k["phase"], "W");
  EXPECT_EQ(k["shape"]["k"], 512);
  EXPECT_EQ(k["grid"][0], 8);
  EXPECT_FALSE(j["kernels"][0].contains("shape"));  // not a GEMM
  EXPECT_EQ(j["memory"]["high_water_bytes"], 123456789u);
}

// Only a GEMM launch carries a GEMM family and shape: a kernel left with the op-level "gemm" placeholder
// (launched under a GEMM op but not by the engine) is written memory_bound and without a shape.
TEST(MeasuredRun, GemmOpPlaceholderIsWrittenAsMemoryBound) {
  MeasuredRun r = sample_run();
  KernelTag aux{3, "moe.router", 1, 'B', kGemmOpFamily, 128, 256, 512};
  KernelTag quant{3, "mla.o_proj.fp8_quant", 1, 'F', "memory_bound", 0, 0, 0};
  r.kernels = {{"add_kernel", 7, 1000, 1100, {1, 1, 1}, {1, 1, 1}, aux},
               {"fp8_quant_1x128_kernel", 7, 1100, 1200, {1, 1, 1}, {1, 1, 1}, quant}};
  const auto j = to_json(r);
  EXPECT_EQ(j["kernels"][0]["family"], "memory_bound");
  EXPECT_FALSE(j["kernels"][0].contains("shape"));
  EXPECT_EQ(j["kernels"][1]["family"], "memory_bound");
  EXPECT_FALSE(j["kernels"][1].contains("shape"));
}

TEST(MeasuredRun, TraceHasOneTrackPerStreamAndMicroseconds) {
  const auto t = to_trace_json(sample_run());
  int tracks = 0;
  int spans = 0;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") ++tracks;
    if (e["ph"] == "X" && e["cat"] != "step") {
      ++spans;
      EXPECT_GE(e["ts"].get<double>(), 0.0);
    }
  }
  EXPECT_EQ(tracks, 3);  // streams 7 and 9, and the steps track
  EXPECT_EQ(spans, 3);
  EXPECT_DOUBLE_EQ(t["traceEvents"][2]["dur"].get<double>(), 2.0);  // 2000 ns
  EXPECT_DOUBLE_EQ(t["traceEvents"][2]["ts"].get<double>(), 0.5);   // from the first step's start at 500 ns
}

TEST(MeasuredRun, TopKernelsByTotalTime) {
  const auto top = top_kernels(sample_run().kernels, 5);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].name, "flash_fwd");
  EXPECT_DOUBLE_EQ(top[0].total_ms, 0.002);
  EXPECT_EQ(top[1].count, 2);
}

}  // namespace
}  // namespace deepsim::runtime
