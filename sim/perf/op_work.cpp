#include "sim/perf/op_work.h"

namespace deepsim {

const char* to_string(OpFamily f) {
  switch (f) {
    case OpFamily::kGemmFp8: return "gemm_fp8";
    case OpFamily::kGemmBf16: return "gemm_bf16";
    case OpFamily::kGroupedGemmFp8: return "grouped_gemm_fp8";
    case OpFamily::kGroupedGemmBf16: return "grouped_gemm_bf16";
    case OpFamily::kAttentionFwd: return "attention_fwd";
    case OpFamily::kAttentionBwd: return "attention_bwd";
    case OpFamily::kMemoryBound: return "memory_bound";
    case OpFamily::kWgradGemmFp8: return "wgrad_gemm_fp8";
    case OpFamily::kWgradGemmBf16: return "wgrad_gemm_bf16";
    case OpFamily::kFp8Cast: return "fp8_cast";
    case OpFamily::kCount: break;
  }
  return "?";
}

bool is_fp8_family(OpFamily f) {
  return f == OpFamily::kGemmFp8 || f == OpFamily::kGroupedGemmFp8 || f == OpFamily::kWgradGemmFp8;
}

bool is_gemm_family(OpFamily f) {
  return f == OpFamily::kGemmFp8 || f == OpFamily::kGemmBf16 || f == OpFamily::kGroupedGemmFp8 ||
         f == OpFamily::kGroupedGemmBf16 || f == OpFamily::kWgradGemmFp8 || f == OpFamily::kWgradGemmBf16;
}

bool parse_op_family(const std::string& s, OpFamily& out) {
  for (int i = 0; i < kOpFamilyCount; ++i) {
    const auto f = static_cast<OpFamily>(i);
    if (s == to_string(f)) {
      out = f;
      return true;
    }
  }
  return false;
}

}  // namespace deepsim
