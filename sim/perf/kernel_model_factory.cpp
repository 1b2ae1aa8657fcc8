#include "sim/perf/kernel_model_factory.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "sim/core/error.h"
#include "sim/perf/profile_model.h"
#include "sim/perf/profile_yaml.h"
#include "sim/perf/gpu_efficiency.h"
#include "sim/perf/roofline_model.h"

namespace deepsim {
namespace fs = std::filesystem;

namespace {

void add_ancestors(const fs::path& start, std::vector<fs::path>& out) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec).lexically_normal();
  if (ec) return;
  for (;;) {
    const fs::path candidate = dir / "calibrate" / "profiles";
    if (std::find(out.begin(), out.end(), candidate) == out.end()) out.push_back(candidate);
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

std::vector<fs::path> profile_search_dirs(const fs::path& base_dir) {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("DEEPSIM_PROFILE_PATH")) {
    std::string_view rest(env);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string_view part = rest.substr(0, colon);
      if (!part.empty()) dirs.emplace_back(std::string(part));
      rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    }
  }
  if (!base_dir.empty()) add_ancestors(base_dir, dirs);
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (!ec) add_ancestors(cwd, dirs);
  return dirs;
}

fs::path resolve_profile(const std::string& profile, const std::vector<fs::path>& dirs, const std::string& where) {
  std::error_code ec;
  if (fs::is_regular_file(profile, ec)) return profile;
  const std::string file = profile.ends_with(".yaml") ? profile : profile + ".yaml";
  for (const fs::path& d : dirs)
    if (fs::is_regular_file(d / file, ec)) return d / file;
  std::string searched;
  for (const fs::path& d : dirs) searched += (searched.empty() ? "" : ", ") + d.string();
  throw InputError({where, 0, 0}, "calibration.profile", "no calibration profile '" + profile + "'",
                   "give a path to a profile YAML, or a name in one of: " + searched);
}

fs::path resolve_scenario_profile(const std::string& profile, const std::string& scenario_file,
                                  const SourcePos& where) {
  const fs::path base = scenario_file.empty() ? fs::path(".") : fs::path(scenario_file).parent_path();
  const fs::path given(profile);
  std::error_code ec;
  if (given.is_relative() && fs::is_regular_file(base / given, ec)) return (base / given).lexically_normal();
  try {
    return resolve_profile(profile, profile_search_dirs(base.empty() ? fs::path(".") : base), where.file);
  } catch (const InputError& e) {
    throw InputError(where, e.key(), e.message(), e.hint());
  }
}

std::unique_ptr<KernelModel> make_kernel_model(const GpuSpec& gpu, const std::string& profile,
                                               const std::string& scenario_file, SourcePos where) {
  if (profile.empty()) {
    const GpuEfficiencies e = gpu_efficiencies(gpu);
    return std::make_unique<RooflineModel>(gpu, e.params, describe_efficiencies(e));
  }
  if (where.file.empty()) where = {scenario_file, 0, 0};
  const fs::path path = resolve_scenario_profile(profile, scenario_file, where);
  KernelProfile p = read_profile_file(path.string());
  if (!iequals(p.device, gpu.name))
    throw InputError(where, "calibration.profile",
                     "profile '" + p.name + "' was measured on " + p.device + ", the scenario simulates " + gpu.name,
                     "use a profile of " + gpu.name + " or leave calibration.profile empty for the roofline default");
  return std::make_unique<ProfileModel>(gpu, std::move(p));
}

}  // namespace deepsim
