// The scenario file as reports name it: one spelling whichever way the user reached the file.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

namespace deepsim {

// `scenarios/default.yaml` and `/work/repo/scenarios/default.yaml` are one scenario, so reports (and
// result.json, whose bytes the batch and `deepsim diff` compare) print the absolute, normalised path.
// Error messages keep the path as typed (file:line is for the user's own terminal). A name that is not
// a file (a test's in-memory scenario) is printed as it is.
[[nodiscard]] inline std::string report_source_path(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return path;
  const std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

}  // namespace deepsim
