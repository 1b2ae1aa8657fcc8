// The deepsim-exec command line, as a library function so tests run it in-process.
//   deepsim-exec --config FILE [--exec FILE] [--steps N] [--out DIR] [--cpu-reference] [--debug-checks]
// Exit codes: 0 ok, 1 run failed (NaN/Inf, CUDA/NCCL error), 2 bad input, 3 no usable GPU (and no
// --cpu-reference).
#pragma once

#include <iosfwd>

namespace deepsim::runtime {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitNoGpu = 3;

// The CPU path refuses models above this many parameters (it is a plain-loop reference).
inline constexpr long kCpuReferenceMaxParams = 20'000'000;

[[nodiscard]] int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace deepsim::runtime
