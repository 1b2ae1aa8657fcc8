// Kernel efficiencies per GPU: the fraction of a GPU's own dense peak (and of its HBM bandwidth) each
// kernel family reaches on that GPU, from published kernel-level micro-benchmarks, never from step
// times. H800 (DeepSeek-V3's GPU) is the baseline table; another catalog GPU replaces the families it has
// a measurement for and inherits the rest, and says which (docs/model.md, "Kernel efficiencies per GPU").
#pragma once

#include <string>
#include <vector>

#include "sim/hw/gpu_spec.h"
#include "sim/perf/roofline_model.h"

namespace deepsim {

// One figure and where it comes from.
struct EfficiencyFigure {
  std::string what;    // "gemm_bf16", "memory"
  double value = 0;    // fraction of peak
  std::string source;  // micro-benchmark and its numbers
};

struct GpuEfficiencies {
  std::string gpu;                       // catalog name the figures are for ("H800" for the baseline)
  RooflineParams params;                 // the efficiencies the roofline model uses on this GPU
  std::vector<EfficiencyFigure> own;     // figures measured on this GPU (or its silicon twin)
  std::vector<std::string> inherited;    // families taken from the H800 baseline for want of a measurement
};

// The table for a GPU by its catalog name (case-insensitive); an unknown name gets the H800 baseline
// with every family listed as inherited.
[[nodiscard]] GpuEfficiencies gpu_efficiencies(const GpuSpec& gpu);
// One line: "A100-80GB kernel efficiencies: gemm_bf16 0.869 (...), ...; from H800: ...".
[[nodiscard]] std::string describe_efficiencies(const GpuEfficiencies& e);

}  // namespace deepsim
