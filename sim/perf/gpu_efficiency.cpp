#include "sim/perf/gpu_efficiency.h"

#include <algorithm>
#include <cstdio>

#include "sim/core/suggest.h"

namespace deepsim {
namespace {

// Stas Bekman, "Maximum Achievable Matmul FLOPS" (MAMF) table, ml-engineering compute/accelerator
// (mamf-finder.py: torch.matmul over a grid of large shapes, mean of 100 iterations after 50 warm-up).
constexpr const char* kMamf = "MAMF table (Bekman, ml-engineering, mamf-finder.py)";

struct Entry {
  const char* gpu;
  std::vector<EfficiencyFigure> own;
};

std::string mamf(const char* row, const char* tflops, const char* peak) {
  return std::string(kMamf) + ": " + row + " " + tflops + " of " + peak + " TFLOPS";
}

// A100: FlashAttention-2 (Dao 2023, arXiv 2307.08691) reaches "50-73% of the theoretical maximum FLOPs/s
// on A100"; the upper figure is its forward pass, the lower its backward.
std::vector<EfficiencyFigure> a100_figures(const char* memory_source, double memory) {
  return {
      {"gemm_bf16", 0.869, mamf("NVIDIA A100 SXM BF16", "271.2", "312")},
      {"wgrad_gemm_bf16", 0.869, "the same cuBLAS GEMM as gemm_bf16 (MAMF A100 SXM)"},
      {"attention_fwd", 0.73, "FlashAttention-2 paper (arXiv 2307.08691): up to 73% of A100 peak, forward"},
      {"attention_bwd", 0.50, "FlashAttention-2 paper (arXiv 2307.08691): the 50% end of its 50-73% range, backward"},
      {"memory", memory, memory_source},
  };
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> t = {
      {"H100",
       {{"gemm_bf16", 0.803, mamf("NVIDIA H100 SXM BF16", "794.5", "989")}}},
      {"H200",
       {{"gemm_bf16", 0.803, mamf("NVIDIA H100 SXM BF16 (\"H200 is the same\")", "794.5", "989")}}},
      {"A100-80GB",
       a100_figures("NVIDIA developer forum, 'Trouble to reach peak bandwidth of A100': a streaming read kernel "
                    "on A100 80 GB SXM reaches 1.80 of 2.04 TB/s, 88% by Nsight Compute",
                    0.88)},
      {"A100-40GB",
       a100_figures("the A100 80 GB streaming-read measurement (88%), assumed for the 40 GB HBM2 part", 0.88)},
      {"A800",
       a100_figures("the A100 80 GB streaming-read measurement (88%); the A800 is the same part with NVLink "
                    "capped",
                    0.88)},
      {"B200",
       {{"gemm_bf16", 0.776, mamf("NVIDIA B200 SXM BF16", "1745.0", "2250")},
        {"wgrad_gemm_bf16", 0.776, "the same cuBLAS GEMM as gemm_bf16 (MAMF B200 SXM)"},
        {"gemm_fp8", 0.763, mamf("NVIDIA B200 SXM FP8 e4m3 (torch._scaled_mm)", "3432.5", "4500")}}},
      {"GB200",
       {{"gemm_bf16", 0.729, mamf("NVIDIA GB200 SXM BF16", "1822.0", "2500")},
        {"wgrad_gemm_bf16", 0.729, "the same cuBLAS GEMM as gemm_bf16 (MAMF GB200 SXM)"},
        {"gemm_fp8", 0.723, mamf("NVIDIA GB200 SXM FP8 e4m3 (torch._scaled_mm)", "3615.6", "5000")}}},
  };
  return t;
}

// The H800 baseline's own figures, with the sources default_roofline_params() cites.
std::vector<EfficiencyFigure> h800_figures() {
  return {
      {"gemm_fp8", 0.78, "DeepGEMM: 1550 of 1979 TFLOPS FP8 on H800 (R23)"},
      {"grouped_gemm_fp8", 0.68, "DeepGEMM contiguous grouped GEMM: 1346 of 1979 TFLOPS (R22)"},
      {"gemm_bf16", 0.80, mamf("NVIDIA H100 SXM BF16 (the H800's GH100 die, clocks and SMs)", "794.5", "989")},
      {"grouped_gemm_bf16", 0.68, "no measurement: taken equal to the FP8 grouped GEMM's (R22)"},
      {"wgrad_gemm_bf16", 0.80, "the same cuBLAS GEMM as gemm_bf16"},
      {"attention_fwd", 0.67, "FlashMLA: 660 of 990 TFLOPS compute-bound on H800 (R27)"},
      {"attention_bwd", 0.50, "FlashAttention-3: about half of peak in the backward"},
      {"wgrad_gemm_fp8", 0.40, "DeepSeek's FP8 wgrad kernels in profile-data train.json: 633-690 of 1679 TFLOPS"},
      {"memory", 0.90, "FlashMLA: 3000 of 3350 GB/s on H800 (R3)"},
  };
}

bool set_family(RooflineParams& p, const EfficiencyFigure& f) {
  if (f.what == "memory") {
    p.memory_efficiency = f.value;
    return true;
  }
  OpFamily fam{};
  if (!parse_op_family(f.what, fam)) return false;
  p.compute_efficiency[static_cast<std::size_t>(fam)] = f.value;
  return true;
}

// The families a GPU's roofline depends on, in the order they are reported.
std::vector<std::string> reported_families(const GpuSpec& gpu) {
  std::vector<std::string> out;
  const bool fp8 = gpu.fp8_dense.per_s() > 0;
  for (int i = 0; i < kOpFamilyCount; ++i) {
    const auto f = static_cast<OpFamily>(i);
    if (f == OpFamily::kMemoryBound || f == OpFamily::kFp8Cast) continue;  // memory-bound: `memory` below
    if (is_fp8_family(f) && !fp8) continue;  // no FP8 tensor cores: never run
    out.emplace_back(to_string(f));
  }
  out.emplace_back("memory");
  return out;
}

}  // namespace

GpuEfficiencies gpu_efficiencies(const GpuSpec& gpu) {
  GpuEfficiencies e;
  e.gpu = gpu.name;
  e.params = default_roofline_params();
  if (iequals(gpu.name, "H800")) {
    e.own = h800_figures();
  } else {
    for (const Entry& entry : table())
      if (iequals(entry.gpu, gpu.name)) e.own = entry.own;
    for (const EfficiencyFigure& f : e.own) set_family(e.params, f);
  }
  for (const std::string& fam : reported_families(gpu))
    if (std::ranges::none_of(e.own, [&](const EfficiencyFigure& f) { return f.what == fam; }))
      e.inherited.push_back(fam);
  return e;
}

std::string describe_efficiencies(const GpuEfficiencies& e) {
  std::string out = e.gpu + " kernel efficiencies (micro-benchmarks, docs/model.md):";
  char buf[32];
  for (std::size_t i = 0; i < e.own.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.3g", e.own[i].value);
    out += std::string(i == 0 ? " " : ", ") + e.own[i].what + " " + buf;
  }
  if (e.own.empty()) out += " none measured on this GPU";
  if (!e.inherited.empty()) {
    out += "; H800's for want of a measurement:";
    for (std::size_t i = 0; i < e.inherited.size(); ++i) out += (i == 0 ? " " : ", ") + e.inherited[i];
  }
  return out;
}

}  // namespace deepsim
