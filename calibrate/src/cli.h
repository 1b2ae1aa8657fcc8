// deepsim-calibrate's commands, as a library function so tests run them without a process:
//   fit            inputs (published tables, micro-benchmark JSON, measured runs, Kineto traces) -> profile YAML
//   show           print a profile: per family the model, rates, fit quality and residuals
//   import-kineto  per-class summary of a PyTorch-profiler trace
//   compare        measured runs against a kernel model (a profile, or the roofline default)
// Exit codes: 0 ok, 1 other failure, 2 bad input or usage (InputError, printed as file:line: key: message),
// 3 internal error.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace deepsim::calib {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInternal = 3;

[[nodiscard]] int run_calibrate(std::span<const std::string> argv, std::ostream& out, std::ostream& err);

// The folder holding published/ and measured data: $DEEPSIM_CALIBRATE_DATA, else calibrate/data of the
// source tree this program was built from.
[[nodiscard]] std::string default_data_dir();

}  // namespace deepsim::calib
