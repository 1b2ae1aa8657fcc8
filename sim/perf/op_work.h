// OpWork: what a kernel model needs to know about one kernel launch: its family, its shape and the
// FLOPs and bytes it moves. The step builder converts model ops (sim/model) into OpWork; calibration
// fits models over the same description, so measured and predicted kernels meet here.
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/units.h"

namespace deepsim {

enum class OpFamily : std::uint8_t {
  kGemmFp8,          // block-scaled FP8 GEMM (DeepGEMM-class)
  kGemmBf16,         // BF16 GEMM
  kGroupedGemmFp8,   // MoE expert GEMM over groups of tokens
  kGroupedGemmBf16,
  kAttentionFwd,     // flash-style attention forward
  kAttentionBwd,     // flash-style attention backward
  kMemoryBound,      // norms, activations, permutes, optimizer, embedding gathers, small kernels
  kWgradGemmFp8,     // FP8 weight-gradient GEMM: K = tokens, FP32 accumulation into the gradient
  kWgradGemmBf16,    // BF16 weight-gradient GEMM
  kFp8Cast,          // FP8 quantise / cast / transpose of GEMM operands (memory-bound)
  kCount,
};
inline constexpr int kOpFamilyCount = static_cast<int>(OpFamily::kCount);
[[nodiscard]] const char* to_string(OpFamily f);
[[nodiscard]] bool parse_op_family(const std::string& s, OpFamily& out);
// Families whose inputs are FP8 (timed against the FP8 tensor-core peak).
[[nodiscard]] bool is_fp8_family(OpFamily f);
// Matrix-product families (timed with a GEMM shape and wave quantisation).
[[nodiscard]] bool is_gemm_family(OpFamily f);

struct OpWork {
  OpFamily family = OpFamily::kMemoryBound;
  Flops flops;          // floating-point operations of the launch
  Bytes bytes;          // bytes read + written from HBM
  std::int64_t m = 0;   // GEMM rows (tokens); for grouped GEMMs the tokens of one group
  std::int64_t n = 0;   // GEMM columns
  std::int64_t k = 0;   // GEMM reduction depth
  std::int64_t groups = 1;  // grouped GEMMs: number of groups (experts) in the launch
  int launches = 1;         // kernel launches this work stands for (each pays the fixed launch cost)
};

}  // namespace deepsim
