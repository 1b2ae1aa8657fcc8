// RooflineModel: the default kernel model when no calibration profile is named.
//   t = launch + max( F / (P_family * eff_c * s/S * wave), B / (BW_hbm * eff_m) )
// where P_family is the GPU's FP8 or BF16 dense peak, s/S the share of SMs available, `wave` the
// wave-quantisation efficiency of a GEMM's 128x128 output tiles over s SMs, and eff_c / eff_m per-family
// efficiencies from published micro-benchmarks (docs/calibration.md lists them with sources).
#pragma once

#include <array>
#include <string>

#include "sim/perf/kernel_model.h"

namespace deepsim {

struct RooflineParams {
  // Fraction of the dense tensor-core peak a large, well-shaped kernel of each family reaches.
  std::array<double, kOpFamilyCount> compute_efficiency{};
  double memory_efficiency = 0.9;  // fraction of HBM peak (FlashMLA: 3000 of 3350 GB/s, R3)
  Time launch_overhead = Time::ns(2000);
  int tile_m = 128;                // output tile used for wave quantisation
  int tile_n = 128;
};

// The documented defaults (sources in the .cpp).
[[nodiscard]] RooflineParams default_roofline_params();

class RooflineModel final : public KernelModel {
 public:
  // `efficiencies`: what the params are, in words, for describe() (describe_efficiencies, gpu_efficiency.h).
  RooflineModel(GpuSpec gpu, RooflineParams params, std::string efficiencies = {});
  [[nodiscard]] Time time(const OpWork& op, int sms) const override;
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] KernelSource source(OpFamily family) const override;
  [[nodiscard]] const RooflineParams& params() const { return params_; }

 private:
  GpuSpec gpu_;
  RooflineParams params_;
  std::string efficiencies_;
};

// Fraction of SM-slots doing useful work when `tiles` equal tiles run on `sms` SMs: tiles / (waves x sms).
[[nodiscard]] double wave_efficiency(std::int64_t tiles, int sms);

}  // namespace deepsim
