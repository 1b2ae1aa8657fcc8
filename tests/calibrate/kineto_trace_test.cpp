#include "calibrate/src/kineto_trace.h"

#include <gtest/gtest.h>

#include <map>

#include "calib_test_util.h"
#include "sim/core/error.h"

namespace deepsim::calib {
namespace {

// A small trace in the shape PyTorch's profiler writes: device properties, CPU ops with External id and
// Input Dims, GPU kernels (cat "kernel", dur in us) and a memcpy that is not a kernel.
constexpr const char* kTrace = R"({
  "schemaVersion": 1,
  "deviceProperties": [{"id": 0, "name": "NVIDIA H800", "numSms": 132}],
  "traceEvents": [
    {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "ts": 0, "dur": 30,
     "args": {"External id": 1, "Input Dims": [[64, 7168], [7168, 2112]]}},
    {"ph": "X", "cat": "kernel", "name": "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64", "ts": 40, "dur": 10.5,
     "args": {"External id": 1, "stream": 7, "grid": [17, 1, 1], "block": [384, 1, 1]}},
    {"ph": "X", "cat": "kernel", "name": "ncclDevKernel_AllReduce_Sum_bf16_RING_LL", "ts": 60, "dur": 20,
     "args": {"stream": 20}},
    {"ph": "X", "cat": "kernel", "name": "void at::native::vectorized_elementwise_kernel<4>", "ts": 90, "dur": 1.5,
     "args": {"stream": 7}},
    {"ph": "X", "cat": "kernel", "name": "my_custom_fp8_thing", "ts": 95, "dur": 4,
     "args": {"stream": 7}},
    {"ph": "X", "cat": "gpu_memcpy", "name": "Memcpy HtoD", "ts": 100, "dur": 50, "args": {}}
  ]
})";

TEST(KinetoTrace, ClassifiesSumsAndTakesGemmShapesFromCpuOps) {
  const auto dir = test::scratch_dir();
  const KinetoTrace t = read_kineto_trace(test::write_file(dir / "trace.json", kTrace));
  ASSERT_EQ(t.kernels.size(), 4u);  // the memcpy is not a kernel
  EXPECT_EQ(t.device.catalog, "H800");
  EXPECT_EQ(t.device.sms, 132);
  EXPECT_EQ(t.kernels[0].kernel_class, "gemm_bf16");
  EXPECT_EQ(t.kernels[0].grid[0], 17);
  ASSERT_TRUE(t.kernels[0].work.has_value());
  EXPECT_EQ(t.kernels[0].work->m, 64);
  EXPECT_EQ(t.kernels[0].work->n, 2112);
  EXPECT_EQ(t.kernels[0].work->k, 7168);

  // Total kernel time 10.5 + 20 + 1.5 + 4 = 36 us; classes in kernel_class_names() order.
  const std::vector<ClassSummary> rows = summarize(t);
  // my_custom_fp8_thing matches no default pattern (no "gemm" in it): "other".
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].kernel_class, "gemm_bf16");
  EXPECT_DOUBLE_EQ(rows[0].total_us, 10.5);
  EXPECT_EQ(rows[0].with_shape, 1);
  EXPECT_EQ(rows[1].kernel_class, "memory_bound");
  EXPECT_EQ(rows[2].kernel_class, "communication");
  EXPECT_DOUBLE_EQ(rows[2].share, 20.0 / 36.0);
  EXPECT_EQ(rows[3].kernel_class, "other");
  EXPECT_DOUBLE_EQ(rows[3].total_us, 4.0);

  const std::vector<KernelSample> s = samples_from_kineto(t);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].time, Time::ns(10500));
}

TEST(KinetoTrace, UserPatternsComeFirst) {
  const auto dir = test::scratch_dir();
  KernelNameMap names;
  names.prepend_file(test::write_file(dir / "names.yaml", "patterns:\n  - {regex: 'my_custom', class: gemm_fp8}\n"));
  const KinetoTrace t = read_kineto_trace(test::write_file(dir / "trace.json", kTrace), names);
  EXPECT_EQ(t.kernels[3].kernel_class, "gemm_fp8");
  EXPECT_EQ(t.kernels[0].kernel_class, "gemm_bf16");  // the defaults still apply behind the user's patterns
}

TEST(KinetoTrace, BadPatternFileAndBadTraceNameTheirLine) {
  const auto dir = test::scratch_dir();
  KernelNameMap names;
  try {
    names.prepend_file(test::write_file(dir / "names.yaml", "patterns:\n  - {regex: 'x', class: gemm_fp9}\n"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.pos().line, 2);
    EXPECT_NE(e.hint().find("gemm_fp8"), std::string::npos);
  }
  try {
    (void)read_kineto_trace(test::write_file(dir / "t.json", "{\"traceEvents\": [\n {\"ph\": \"X\", \"cat\": \"kernel\",\n \"name\": \"k\", \"ts\": 1}\n]}"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.pos().line, 2);  // the kernel event without "dur" starts on line 2
    EXPECT_NE(e.message().find("dur"), std::string::npos);
  }
  try {
    (void)read_kineto_trace(test::write_file(dir / "u.json", "{\"traceEvents\": [\n  {\"ph\": }\n]}"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.pos().line, 2);  // JSON syntax error position
  }
}

TEST(KinetoTrace, GemmShapesFromInputDims) {
  using S = std::array<std::int64_t, 4>;
  EXPECT_EQ(gemm_shape_from_dims("aten::addmm", {{2112}, {64, 7168}, {7168, 2112}}), (S{64, 2112, 7168, 1}));
  EXPECT_EQ(gemm_shape_from_dims("aten::linear", {{4, 1024, 7168}, {2112, 7168}, {}}), (S{4096, 2112, 7168, 1}));
  EXPECT_EQ(gemm_shape_from_dims("aten::bmm", {{8, 128, 64}, {8, 64, 256}}), (S{128, 256, 64, 8}));
  EXPECT_FALSE(gemm_shape_from_dims("aten::mm", {{64, 7168}, {7000, 2112}}).has_value());  // inner dims differ
  EXPECT_FALSE(gemm_shape_from_dims("aten::add", {{64, 64}, {64, 64}}).has_value());
}

}  // namespace
}  // namespace deepsim::calib

namespace deepsim::calib {
namespace {

// tests/calibrate/data/dpsk-train-layer-pair.json: the kernels of the first overlapped forward+backward
// MoE-layer pair of DeepSeek's public training trace (deepseek-ai/profile-data train.json), 244 kernels.
TEST(KinetoTrace, ClassifiesDeepSeeksOwnKernels) {
  const KinetoTrace t = read_kineto_trace(test::source_path("tests/calibrate/data/dpsk-train-layer-pair.json"));
  ASSERT_EQ(t.kernels.size(), 244u);
  EXPECT_EQ(t.device.catalog, "H800");
  std::map<std::string, std::map<std::string, int>> by_marker;  // marker substring -> class -> count
  const char* markers[] = {"cuda::fp8_ptp128c::",  "fp8_dptp128c_acc", "m_grouped_fp8", "cuda::per_token_cast",
                           "cuda::per_channel_cast", "utils::transpose", "dpsk::ep::",    "Flash_fwd",
                           "FlashAttnBwd",   "layer_norm::",     "rotary_kernel"};
  for (const KinetoKernel& k : t.kernels)
    for (const char* m : markers)
      if (k.name.find(m) != std::string::npos) ++by_marker[m][k.kernel_class];
  auto only = [&](const char* marker, const char* cls) {
    ASSERT_TRUE(by_marker.contains(marker)) << marker;
    EXPECT_EQ(by_marker[marker].size(), 1u) << marker;
    EXPECT_GT(by_marker[marker][cls], 0) << marker << " not all " << cls;
  };
  only("cuda::fp8_ptp128c::", "gemm_fp8");  // dense GEMMs, although in the dpsk::grouped_gemm namespace
  only("fp8_dptp128c_acc", "wgrad_gemm_fp8");
  only("m_grouped_fp8", "grouped_gemm_fp8");
  only("cuda::per_token_cast", "fp8_cast");  // casts are not GEMMs
  only("cuda::per_channel_cast", "fp8_cast");
  only("utils::transpose", "fp8_cast");
  only("dpsk::ep::", "communication");  // DeepEP dispatch, combine, notify, layout
  only("Flash_fwd", "attention_fwd");
  only("FlashAttnBwd", "attention_bwd");
  only("layer_norm::", "memory_bound");
  only("rotary_kernel", "memory_bound");
  for (const KinetoKernel& k : t.kernels) EXPECT_NE(k.kernel_class, "other") << k.name;

  // Wall clock: DeepEP runs on its own stream beside the compute, so the summed kernel time exceeds the
  // time any kernel runs, and the difference is the streams' overlap.
  const OverlapSummary o = overlap_summary(t);
  EXPECT_GE(o.streams.size(), 2u);
  EXPECT_GT(o.overlapped_us, 0);
  EXPECT_LE(o.busy_us, o.span_us);
  double busy = 0;
  for (const StreamSummary& s : o.streams) busy += s.busy_us;
  EXPECT_DOUBLE_EQ(busy - o.busy_us, o.overlapped_us);
  EXPECT_LE(o.busy_us, o.summed_us);
}

TEST(KinetoTrace, UnionOfIntervalsCountsOverlapOnce) {
  // Stream 1: [0, 10) and [5, 15) -> busy 15; stream 2: [12, 20) -> 8. Any kernel running: [0, 20) = 20.
  // Per-stream busy 23 - 20 = 3 us of the two streams at once ([12, 15)).
  KinetoTrace t;
  auto kernel = [](const char* cls, double ts, double dur, int stream) {
    KinetoKernel k;
    k.kernel_class = cls;
    k.ts_us = ts;
    k.dur_us = dur;
    k.stream = stream;
    return k;
  };
  t.kernels = {kernel("gemm_fp8", 0, 10, 1), kernel("gemm_fp8", 5, 10, 1), kernel("communication", 12, 8, 2)};
  const OverlapSummary o = overlap_summary(t);
  EXPECT_DOUBLE_EQ(o.span_us, 20);
  EXPECT_DOUBLE_EQ(o.busy_us, 20);
  EXPECT_DOUBLE_EQ(o.summed_us, 28);
  EXPECT_DOUBLE_EQ(o.overlapped_us, 3);
  ASSERT_EQ(o.streams.size(), 2u);
  EXPECT_DOUBLE_EQ(o.streams[0].busy_us, 15);
}

}  // namespace
}  // namespace deepsim::calib
