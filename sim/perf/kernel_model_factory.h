// make_kernel_model: the kernel model a scenario asks for. An empty `calibration.profile` gives the
// roofline default; otherwise the profile is read (a path, or a name looked up in the profile folders)
// and wrapped in a ProfileModel.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/hw/gpu_spec.h"
#include "sim/perf/kernel_model.h"

namespace deepsim {

// Where profile names are looked up, in order: each folder in $DEEPSIM_PROFILE_PATH (':'-separated),
// then calibrate/profiles/ in `base_dir` and each of its ancestors (a scenario in <repo>/scenarios/ finds
// <repo>/calibrate/profiles/), then the same from the working directory.
[[nodiscard]] std::vector<std::filesystem::path> profile_search_dirs(const std::filesystem::path& base_dir);

// `profile` is a path to an existing file, or a name ("h800-published", ".yaml" optional) found in
// `dirs`. Throws InputError (key calibration.profile, at `where`) when it cannot be found.
[[nodiscard]] std::filesystem::path resolve_profile(const std::string& profile,
                                                    const std::vector<std::filesystem::path>& dirs,
                                                    const std::string& where);

// The profile file a scenario's `calibration.profile` names: an absolute path as is; a relative path
// against the scenario's own folder first (not the working directory: the same scenario must read the
// same file wherever deepsim runs), then the working directory; otherwise a name in
// profile_search_dirs(scenario's folder). Errors are raised at `where` (the key's position).
[[nodiscard]] std::filesystem::path resolve_scenario_profile(const std::string& profile,
                                                             const std::string& scenario_file, const SourcePos& where);

// `scenario_file` (may be empty) anchors the name lookup; errors point at `where` (default: the file). A
// profile measured on a different GPU than `gpu` is an InputError: its coefficients would silently
// describe other hardware.
[[nodiscard]] std::unique_ptr<KernelModel> make_kernel_model(const GpuSpec& gpu, const std::string& profile,
                                                             const std::string& scenario_file = {},
                                                             SourcePos where = {});

}  // namespace deepsim
