#include "sim/step/op_timing.h"

namespace deepsim {
namespace {

OpFamily family(const Op& op, Pass pass) {
  // A recompute clone's dgrad pass is the forward it repeats, with the forward's kernels.
  if (op.reruns_forward && pass == Pass::kDgrad) pass = Pass::kForward;
  // The weight gradient of every matmul is its own family: K = tokens, FP32 accumulation (the router's
  // gating GEMM stays BF16, R17).
  if (pass == Pass::kWgrad && op.is_matmul())
    return op.fp8 && op.kind != OpKind::kRouter ? OpFamily::kWgradGemmFp8 : OpFamily::kWgradGemmBf16;
  switch (op.kind) {
    case OpKind::kGemm: return op.fp8 ? OpFamily::kGemmFp8 : OpFamily::kGemmBf16;
    case OpKind::kGroupedGemm: return op.fp8 ? OpFamily::kGroupedGemmFp8 : OpFamily::kGroupedGemmBf16;
    case OpKind::kRouter: return OpFamily::kGemmBf16;  // gating stays BF16/FP32 (R17)
    case OpKind::kAttention: return pass == Pass::kForward ? OpFamily::kAttentionFwd : OpFamily::kAttentionBwd;
    case OpKind::kElementwise:
    case OpKind::kNorm:
    case OpKind::kEmbedding:
    case OpKind::kLoss:
    case OpKind::kSmall: return OpFamily::kMemoryBound;
    case OpKind::kFp8Cast: return OpFamily::kFp8Cast;
  }
  return OpFamily::kMemoryBound;
}

}  // namespace

OpWork op_work(const Op& op, Pass pass) {
  OpWork w;
  w.family = family(op, pass);
  w.groups = op.groups;
  const GemmShape g = op.gemm;
  switch (pass) {
    case Pass::kForward:
      w.flops = op.fwd;
      w.bytes = op.fwd_bytes;
      w.m = g.m, w.n = g.n, w.k = g.k;
      w.launches = op.fwd_launches;
      break;
    case Pass::kDgrad:
      w.flops = op.dgrad;
      w.bytes = op.dgrad_bytes;
      w.m = g.m, w.n = g.k, w.k = g.n;
      w.launches = op.dgrad_launches;
      break;
    case Pass::kWgrad:
      w.flops = op.wgrad;
      w.bytes = op.wgrad_bytes;
      // The weight gradient of a grouped GEMM is one (n x k) product per group, reducing over its tokens.
      w.m = g.n, w.n = g.k, w.k = g.m;
      w.launches = op.wgrad_launches;
      break;
  }
  return w;
}

Time pass_time(std::span<const Op> ops, Pass pass, const KernelModel& model, int sms) {
  Time total;
  for (const Op& op : ops) {
    const OpWork w = op_work(op, pass);
    if (w.flops.value() <= 0 && w.bytes.value() <= 0) continue;
    total += model.time(w, sms);
  }
  return total;
}

}  // namespace deepsim
