// Calibration profiles on disk: the YAML form of KernelProfile (docs/calibration.md shows an example).
// Coefficients are written with 17 significant digits so a profile read back predicts bit-identically.
// Reading checks every key and value; problems are InputErrors naming file:line:column and the key.
#pragma once

#include <string>
#include <string_view>

#include "sim/perf/kernel_profile.h"

namespace deepsim {

inline constexpr int kProfileSchema = 1;

[[nodiscard]] std::string profile_to_yaml(const KernelProfile& p);
// `display_name` is the file name used in errors.
[[nodiscard]] KernelProfile profile_from_yaml(std::string_view text, const std::string& display_name);
[[nodiscard]] KernelProfile read_profile_file(const std::string& path);
void write_profile_file(const KernelProfile& p, const std::string& path);

}  // namespace deepsim
