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
  kMemoryBound,      // norms, activations, permutes, quantisation, optimizer, embedding gathers
  kCount,
};
inline constexpr int kOpFamilyCount = static_cast<int>(OpFamily::kCount);
[[nodiscard]] const char* to_string(OpFamily f);
[[nodiscard]] bool parse_op_family(const std::string& s, OpFamily& out);

struct OpWork {
  OpFamily family = OpFamily::kMemoryBound;
  Flops flops;          // floating-point operations of the launch
  Bytes bytes;          // bytes read + written from HBM
  std::int64_t m = 0;   // GEMM rows (tokens); for grouped GEMMs the tokens of one group
  std::int64_t n = 0;   // GEMM columns
  std::int64_t k = 0;   // GEMM reduction depth
  std::int64_t groups = 1;  // grouped GEMMs: number of groups (experts) in the launch
};

}  // namespace deepsim
