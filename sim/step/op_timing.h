// Timing of model ops (sim/model/op.h) with a kernel model (sim/perf): each op's forward, dgrad and wgrad
// become one kernel launch described by an OpWork, timed on the SMs the compute gets.
#pragma once

#include <span>

#include "sim/model/op.h"
#include "sim/perf/kernel_model.h"

namespace deepsim {

enum class Pass { kForward, kDgrad, kWgrad };

// The kernel launch of one pass of one op. GEMM shapes follow D[M x N] = A[M x K] B[N x K]^T:
// forward (m, n, k); dgrad dX = dY W: (m, k, n); wgrad dW = dY^T X: (n, k, m).
[[nodiscard]] OpWork op_work(const Op& op, Pass pass);
// Sum of the pass's kernel times over `ops` (ops with no work in that pass cost nothing).
[[nodiscard]] Time pass_time(std::span<const Op> ops, Pass pass, const KernelModel& model, int sms);

}  // namespace deepsim
