// KernelSample: one timed kernel launch of known shape — the unit every input (micro-benchmark tables,
// measured runs, Kineto traces) is reduced to before fitting.
#pragma once

#include <string>

#include "sim/core/time.h"
#include "sim/perf/op_work.h"

namespace deepsim::calib {

struct KernelSample {
  OpWork op;
  Time time;            // measured duration of one launch
  int sms = 0;          // SMs the kernel could use (the whole device for micro-benchmarks)
  std::string origin;   // "file:line" of the row it came from, for residual tables and errors
};

// The FLOPs and HBM bytes of a GEMM-family launch from its shape, as the published tables count them
// (reference R21/R22): F = 2 G M N K; bytes = G (M K + N K) x in + G M N x out (FP8 in, BF16 out: 1, 2).
[[nodiscard]] OpWork gemm_work(OpFamily f, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups);

}  // namespace deepsim::calib
