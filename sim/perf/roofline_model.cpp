#include "sim/perf/roofline_model.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/core/format.h"

namespace deepsim {

RooflineParams default_roofline_params() {
  RooflineParams p;
  auto set = [&p](OpFamily f, double e) { p.compute_efficiency[static_cast<std::size_t>(f)] = e; };
  // DeepGEMM: 1550 TFLOPS of the 1979 FP8 dense peak on H800 (R23, 2025-04-18) = 0.78.
  set(OpFamily::kGemmFp8, 0.78);
  // DeepGEMM contiguous grouped GEMM: 1346 TFLOPS of 1979 (R22) = 0.68.
  set(OpFamily::kGroupedGemmFp8, 0.68);
  // BF16 GEMMs: torch.matmul (cuBLAS) reaches 794.5 of 989 TFLOPS on H100 SXM, the H800's die, clocks
  // and SMs (Bekman's MAMF table, ml-engineering) = 0.80. Grouped BF16 keeps the FP8 grouped figure.
  set(OpFamily::kGemmBf16, 0.80);
  set(OpFamily::kGroupedGemmBf16, 0.68);
  // FlashMLA: 660 of 990 TFLOPS compute-bound on H800 (R27) = 0.67; FlashAttention-3 reports similar
  // forward utilisation at head dim 128-256; the backward pass is taken at 0.5 (FA3 reports ~0.5).
  set(OpFamily::kAttentionFwd, 0.67);
  set(OpFamily::kAttentionBwd, 0.50);
  // Weight-gradient GEMMs dW[N x K] = dY^T X reduce over the tokens (K = tokens) with FP32 accumulation
  // into the gradient and operands re-quantised along the token axis. DeepSeek's own FP8 wgrad kernels
  // (fp8_dptp128c_acc in deepseek-ai/profile-data train.json, H800, 112 SMs for compute) reach 633-690
  // TFLOPS at the V3 shapes against 1679 TFLOPS of 112-SM FP8 peak: 0.38-0.41. No published
  // micro-benchmark quotes an FP8 wgrad rate, so these kernel timings are the source (kernel-level
  // measurements, not a step time); 0.40 is their middle. BF16 wgrad: cuBLAS runs the same NT/TN GEMM
  // as the forward, so the BF16 GEMM figure is kept.
  set(OpFamily::kWgradGemmFp8, 0.40);
  set(OpFamily::kWgradGemmBf16, 0.80);
  // Memory-bound kernels are limited by memory_efficiency; their compute term is irrelevant.
  set(OpFamily::kMemoryBound, 0.5);
  set(OpFamily::kFp8Cast, 0.5);
  return p;
}

double wave_efficiency(std::int64_t tiles, int sms) {
  if (tiles <= 0 || sms <= 0) return 1.0;
  const std::int64_t waves = (tiles + sms - 1) / sms;
  return static_cast<double>(tiles) / static_cast<double>(waves * sms);
}

RooflineModel::RooflineModel(GpuSpec gpu, RooflineParams params, std::string efficiencies)
    : gpu_(std::move(gpu)), params_(params), efficiencies_(std::move(efficiencies)) {}

Time RooflineModel::time(const OpWork& op, int sms) const {
  DEEPSIM_ASSERT(sms > 0 && sms <= gpu_.sms, "SMs available must be in 1..gpu.sms");
  const bool fp8 = is_fp8_family(op.family);
  // A GPU without FP8 tensor cores (Ampere) never runs an FP8 family (the scenario validator refuses
  // the recipe there); a hand-built OpWork falls back to the BF16 peak rather than dividing by zero.
  const double peak = (fp8 && gpu_.fp8_dense.per_s() > 0 ? gpu_.fp8_dense : gpu_.bf16_dense).per_s();
  double eff = params_.compute_efficiency[static_cast<std::size_t>(op.family)];
  eff *= static_cast<double>(sms) / gpu_.sms;
  if (is_gemm_family(op.family) && op.m > 0 && op.n > 0) {
    const std::int64_t tiles = op.groups * ((op.m + params_.tile_m - 1) / params_.tile_m) *
                               ((op.n + params_.tile_n - 1) / params_.tile_n);
    // Partial tiles (m not a multiple of tile_m) waste tensor-core work too.
    const double useful = static_cast<double>(op.groups * op.m * op.n) /
                          static_cast<double>(tiles * params_.tile_m * params_.tile_n);
    eff *= wave_efficiency(tiles, sms) * useful;
  }
  const double t_compute = op.flops.value() > 0 ? op.flops.value() / (peak * eff) : 0.0;
  const double t_memory = op.bytes.value() / (gpu_.hbm_bandwidth.bytes_per_s() * params_.memory_efficiency);
  return params_.launch_overhead * std::max(op.launches, 1) + Time::from_seconds_ceil(std::max(t_compute, t_memory));
}

KernelSource RooflineModel::source(OpFamily family) const {
  const double eff = params_.compute_efficiency[static_cast<std::size_t>(family)];
  const auto pct = [](double f) { return std::to_string(static_cast<int>(f * 100.0 + 0.5)) + "%"; };
  std::string text = "roofline default: ";
  if (is_gemm_family(family) || family == OpFamily::kAttentionFwd || family == OpFamily::kAttentionBwd) {
    text += pct(eff) + " of the " + gpu_.name + " " + (is_fp8_family(family) ? "FP8" : "BF16") +
            " dense peak, or HBM at " + pct(params_.memory_efficiency) + ", whichever is slower";
  } else {
    text += "HBM at " + pct(params_.memory_efficiency) + " of the " + gpu_.name + " peak";
  }
  text += ", plus " + format_time(params_.launch_overhead) + " per launch";
  return {false, text};
}

std::string RooflineModel::describe() const {
  if (!efficiencies_.empty()) return "roofline default (" + gpu_.name + " peaks; " + efficiencies_ + ")";
  return "roofline default (" + gpu_.name + " peaks x per-family efficiencies from published micro-benchmarks)";
}

}  // namespace deepsim
