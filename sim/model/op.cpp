#include "sim/model/op.h"

namespace deepsim {

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::kGemm: return "gemm";
    case OpKind::kGroupedGemm: return "grouped_gemm";
    case OpKind::kAttention: return "attention";
    case OpKind::kElementwise: return "elementwise";
    case OpKind::kNorm: return "norm";
    case OpKind::kRouter: return "router";
    case OpKind::kEmbedding: return "embedding";
    case OpKind::kLoss: return "loss";
    case OpKind::kFp8Cast: return "fp8_cast";
    case OpKind::kSmall: return "small";
  }
  return "?";
}

OpTotals sum_ops(const std::vector<Op>& ops) {
  OpTotals t;
  for (const Op& op : ops) {
    t.fwd += op.fwd;
    t.dgrad += op.dgrad;
    t.wgrad += op.wgrad;
    t.fwd_bytes += op.fwd_bytes;
    t.bwd_bytes += op.bwd_bytes();
    t.saved += op.saved;
    t.params += op.params;
  }
  return t;
}

}  // namespace deepsim
