#include <gtest/gtest.h>

#include "sim/hw/catalog.h"
#include "sim/perf/roofline_model.h"

namespace deepsim {
namespace {

RooflineParams plain_params() {
  // Efficiency 1 everywhere, no launch overhead, so times are pure roofline and easy to derive by hand.
  RooflineParams p;
  p.compute_efficiency.fill(1.0);
  p.memory_efficiency = 1.0;
  p.launch_overhead = Time::zero();
  return p;
}

TEST(WaveEfficiency, FullAndPartialWaves) {
  EXPECT_DOUBLE_EQ(wave_efficiency(132, 132), 1.0);
  // 133 tiles on 132 SMs take 2 waves: 133 / 264.
  EXPECT_DOUBLE_EQ(wave_efficiency(133, 132), 133.0 / 264.0);
  EXPECT_DOUBLE_EQ(wave_efficiency(112, 112), 1.0);
}

TEST(RooflineModel, ComputeBoundGemmRunsAtPeakTimesWaveEfficiency) {
  const GpuSpec h800 = *find_gpu("H800");
  RooflineModel model(h800, plain_params());
  // M = N = 128 * 132 / 12 ... choose 4224 x 4224: (33 x 33) = 1089 tiles of 128x128, on 132 SMs that is
  // 8.25 waves -> 9 waves, efficiency 1089 / 1188. K = 16384 makes it compute-bound:
  // F = 2 * 4224^2 * 16384 = 5.847e11; bytes (FP8 in, BF16 out) = 2*4224*16384 + 2*4224^2 = 1.74e8;
  // memory time 52 us << compute time ~ 0.32 ms.
  OpWork op{OpFamily::kGemmFp8, Flops(2.0 * 4224 * 4224 * 16384.0), Bytes(2.0 * 4224 * 16384 + 2.0 * 4224 * 4224),
            4224, 4224, 16384, 1};
  const double expect_s = op.flops.value() / (h800.fp8_dense.per_s() * 1089.0 / 1188.0);
  EXPECT_NEAR(model.time(op, 132).seconds(), expect_s, 1e-12);
}

TEST(RooflineModel, FewerSmsSlowComputeProportionally) {
  const GpuSpec h800 = *find_gpu("H800");
  RooflineModel model(h800, plain_params());
  // 112 x 128 by 128 tiles = one full wave on 112 SMs and one full wave on 132 SMs? No: 112 tiles on 132
  // SMs is one wave at 112/132 efficiency; on 112 SMs one wave at efficiency 1 but 112/132 of the peak.
  // Both give the same time: F / (P * 112/132).
  OpWork op{OpFamily::kGemmBf16, Flops(2.0 * 14336 * 128 * 65536.0), Bytes(0), 14336, 128, 65536, 1};
  EXPECT_EQ(model.time(op, 132), model.time(op, 112));
  // A memory-bound op does not care about SMs in this model.
  OpWork mem{OpFamily::kMemoryBound, Flops(0), Bytes(3.35e9), 0, 0, 0, 1};
  EXPECT_EQ(model.time(mem, 132), model.time(mem, 20));
  EXPECT_NEAR(model.time(mem, 132).seconds(), 1e-3, 1e-12);  // 3.35 GB at 3.35 TB/s
}

TEST(RooflineModel, DefaultsComeWithLaunchOverheadAndDescribeThemselves) {
  RooflineModel model(*find_gpu("H100"), default_roofline_params());
  OpWork empty{OpFamily::kMemoryBound, Flops(0), Bytes(0), 0, 0, 0, 1};
  EXPECT_EQ(model.time(empty, 132), default_roofline_params().launch_overhead);
  EXPECT_NE(model.describe().find("H100"), std::string::npos);
}

TEST(RooflineModel, WgradFamilyIsSlowerThanFpropAtTheTraceShape) {
  // mla.o_proj of DeepSeek-V3 at 4K tokens, as in deepseek-ai/profile-data train.json (H800, 112 of 132
  // SMs for compute). Forward D[4096 x 7168] = X[4096 x 16384] W^T: 32 x 56 = 1792 tiles = 16 full waves
  // on 112 SMs. Weight gradient dW[7168 x 16384] = dY^T X, K = 4096 tokens: 56 x 128 = 7168 tiles = 64
  // full waves. Same FLOPs, both compute-bound (0.74 ms of compute against 0.08 ms of HBM forward), no
  // wave loss: the wgrad takes longer by exactly the ratio of the families' efficiencies, 0.78 / 0.40,
  // because it accumulates in FP32 over the token axis with operands re-quantised along it, which
  // DeepSeek's own fp8 wgrad kernels run at 0.38-0.41 of peak (docs/model.md).
  const RooflineParams p = default_roofline_params();
  RooflineModel model(*find_gpu("H800"), p);
  const double flops = 2.0 * 4096 * 7168 * 16384;
  const OpWork fprop{OpFamily::kGemmFp8, Flops(flops), Bytes(4096.0 * 16384 + 7168.0 * 16384 + 2.0 * 4096 * 7168),
                     4096, 7168, 16384, 1};
  const OpWork wgrad{OpFamily::kWgradGemmFp8, Flops(flops),
                     Bytes(4096.0 * 7168 + 4096.0 * 16384 + 8.0 * 7168 * 16384), 7168, 16384, 4096, 1};
  const double f_s = (model.time(fprop, 112) - p.launch_overhead).seconds();
  const double w_s = (model.time(wgrad, 112) - p.launch_overhead).seconds();
  EXPECT_NEAR(w_s / f_s, 0.78 / 0.40, 1e-6);
  // Under BF16 the weight gradient is cuBLAS's same GEMM: no slower than the forward.
  OpWork bf = fprop, bw = wgrad;
  bf.family = OpFamily::kGemmBf16;
  bw.family = OpFamily::kWgradGemmBf16;
  EXPECT_NEAR((model.time(bw, 112) - p.launch_overhead).seconds() / (model.time(bf, 112) - p.launch_overhead).seconds(),
              1.0, 1e-6);
}

TEST(RooflineModel, EachLaunchOfABundlePaysTheLaunchCost) {
  // 30 small kernels moving 1 MB in all: 30 launches plus 1 MB at 0.9 x 3.35 TB/s.
  const RooflineParams p = default_roofline_params();
  RooflineModel model(*find_gpu("H800"), p);
  OpWork op{OpFamily::kMemoryBound, Flops(0), Bytes(1e6), 0, 0, 0, 1};
  op.launches = 30;
  EXPECT_NEAR(model.time(op, 132).seconds(), 30 * p.launch_overhead.seconds() + 1e6 / (0.9 * 3350e9), 1e-12);
}

}  // namespace
}  // namespace deepsim
