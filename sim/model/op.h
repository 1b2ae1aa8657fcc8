// Op: one kernel-sized piece of a training step on one tensor-parallel rank, with the work it does in
// the forward pass, the input-gradient (dgrad) and weight-gradient (wgrad) halves of the backward pass,
// the HBM bytes each half moves, the activation bytes it keeps for the backward pass, and the parameters
// it owns. The step builder turns ops into kernel launches; schedules that split B from W (ZB1P,
// DualPipe) use dgrad and wgrad separately. Formulas: docs/model.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/units.h"

namespace deepsim {

enum class OpKind : std::uint8_t {
  kGemm,         // dense matrix multiply
  kGroupedGemm,  // one launch over several experts' token groups
  kAttention,    // core attention (QK^T, softmax, PV), flash-style
  kElementwise,  // SwiGLU, permute, combine
  kNorm,         // RMSNorm
  kRouter,       // gating GEMM + top-k selection
  kEmbedding,    // token embedding gather
  kLoss,         // softmax cross-entropy over the vocabulary
  kFp8Cast,      // FP8 quantise / cast / transpose of a GEMM operand (1x128 tiles, R17): memory-bound
  kSmall,        // short launch-bound kernels: RoPE, top-k, index building, residual adds, copies
};
[[nodiscard]] const char* to_string(OpKind k);

// The numeric recipe of a run: which dtype the GEMM inputs have (reference R17).
enum class Precision : std::uint8_t {
  kFp8,   // DeepSeek-V3: FP8 GEMM inputs; embedding, head, gating, norms and attention stay BF16/FP32
  kBf16,  // BF16 everywhere
};

// D[M x N] = A[M x K] . B[N x K]^T, the DeepGEMM convention (reference R21): M tokens, N output features.
struct GemmShape {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
};

struct Op {
  std::string name;            // "mla.q_b", "expert.gate_up", ...
  OpKind kind = OpKind::kElementwise;
  GemmShape gemm;              // set for kGemm, kGroupedGemm and kRouter; m is the tokens of one group
  int groups = 1;              // kGroupedGemm: experts in the launch (m summed over them is groups x m)
  bool fp8 = false;            // the GEMM inputs are FP8
  bool per_expert = false;     // a routed-expert op; its cost follows that expert's token count
  Flops fwd;                   // forward
  Flops dgrad;                 // backward, gradient w.r.t. the inputs (attention: incl. the QK^T recompute)
  Flops wgrad;                 // backward, gradient w.r.t. the weights
  Bytes fwd_bytes;             // HBM read + written by the forward
  Bytes dgrad_bytes;
  Bytes wgrad_bytes;
  Bytes saved;                 // activations kept from forward to backward, per micro-batch
  std::int64_t params = 0;     // parameters this op owns on this rank (summed over its groups)
  // Kernel launches each pass stands for (a bundle of small kernels pays the launch cost of each; 0 in a
  // pass with no work). GEMMs, norms and the other single-kernel ops leave these at 1.
  int fwd_launches = 1;
  int dgrad_launches = 1;
  int wgrad_launches = 1;
  // A recomputation of another op's forward, run in the backward (Megatron selective / full recompute):
  // its work sits in the dgrad fields but is timed as the forward it repeats (the forward's family; the
  // GEMM shape is stored with n and k swapped, so the dgrad pass reads back the forward's M x N x K).
  bool reruns_forward = false;

  [[nodiscard]] Flops bwd() const { return dgrad + wgrad; }
  [[nodiscard]] Bytes bwd_bytes() const { return dgrad_bytes + wgrad_bytes; }
  [[nodiscard]] Flops total_flops() const { return fwd + dgrad + wgrad; }
  [[nodiscard]] bool is_matmul() const {
    return kind == OpKind::kGemm || kind == OpKind::kGroupedGemm || kind == OpKind::kRouter;
  }
};

// Sums over a list of ops (a layer, a stage).
struct OpTotals {
  Flops fwd;
  Flops dgrad;
  Flops wgrad;
  Bytes fwd_bytes;
  Bytes bwd_bytes;
  Bytes saved;
  std::int64_t params = 0;
};
[[nodiscard]] OpTotals sum_ops(const std::vector<Op>& ops);

}  // namespace deepsim
