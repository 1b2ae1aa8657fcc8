// The measured-run JSON carries the schema's fields and the trace has one track per stream.
#include <gtest/gtest.h>

#include "runtime/measured_run.h"

namespace deepsim::runtime {
namespace {

MeasuredRun sample_run() {
  MeasuredRun r;
  r.device = DeviceRecord{"NVIDIA H100", 90, 132, 13000, 13000, "2026-11-23T00:00:00Z"};
  r.config = {{"schema", 1}};
  r.steps = {{0, 12.5, 1024, 6.2}, {1, 11.0, 1024, 5.9}};
  KernelTag attn{3, "attn.fwd", 1, 'F', "attention", 0, 0, 0};
  KernelTag gemm{3, "attn.wo", 1, 'W', "gemm", 128, 256, 512};
  r.kernels = {{"flash_fwd", 7, 1000, 3000, {4, 2, 1}, {128, 1, 1}, attn},
               {"gemm_a", 9, 2000, 2500, {8, 1, 1}, {256, 1, 1}, gemm},
               {"gemm_a", 9, 4000, 4800, {8, 1, 1}, {256, 1, 1}, gemm}};
  r.high_water_bytes = 123456789;
  return r;
}

TEST(MeasuredRun, JsonHasTheSchemaFields) {
  const auto j = to_json(sample_run());
  EXPECT_EQ(j["schema"], 1);
  for (const char* k : {"name", "sm", "sms", "driver", "cuda", "date"}) EXPECT_TRUE(j["device"].contains(k)) << k;
  ASSERT_EQ(j["steps"].size(), 2u);
  EXPECT_EQ(j["steps"][1]["loss"], 5.9);
  ASSERT_EQ(j["kernels"].size(), 3u);
  const auto& k = j["kernels"][1];
  for (const char* f : {"name", "stream", "start_ns", "end_ns", "grid", "block", "layer", "op", "micro_batch", "phase",
                        "family", "m", "n", "k"})
    EXPECT_TRUE(k.contains(f)) << f;
  EXPECT_EQ(k["phase"], "W");
  EXPECT_EQ(k["grid"][0], 8);
  EXPECT_EQ(j["memory"]["high_water_bytes"], 123456789u);
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
