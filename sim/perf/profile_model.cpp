#include "sim/perf/profile_model.h"

#include "sim/core/error.h"
#include "sim/perf/gpu_efficiency.h"

namespace deepsim {

ProfileModel::ProfileModel(GpuSpec gpu, KernelProfile profile)
    : gpu_(gpu), profile_(std::move(profile)), fallback_(gpu, gpu_efficiencies(gpu).params) {
  DEEPSIM_ASSERT(profile_.sms > 0, "a profile names the SM count it was measured with");
}

Time ProfileModel::time(const OpWork& op, int sms) const {
  DEEPSIM_ASSERT(sms > 0 && sms <= gpu_.sms, "SMs available must be in 1..gpu.sms");
  const FamilyModel* m = profile_.find(op.family);
  if (m == nullptr) return fallback_.time(op, sms);
  return Time::from_seconds_ceil(predict_seconds(*m, op, sms, profile_.sms));
}

KernelSource ProfileModel::source(OpFamily family) const {
  const FamilyModel* m = profile_.find(family);
  if (m == nullptr) return fallback_.source(family);
  std::string text = "calibration profile '" + profile_.name + "' (" + profile_.device + ")";
  if (!m->basis.empty()) text += ": " + m->basis;
  return {true, text};
}

std::string ProfileModel::describe() const {
  std::string fitted;
  for (const FamilyModel& m : profile_.families) fitted += (fitted.empty() ? "" : ", ") + std::string(to_string(m.family));
  // The sources are in the profile file; one report line names the profile, not its bibliography.
  std::string s = "calibration profile '" + profile_.name + "' (" + profile_.device + ", " + profile_.date +
                  "); from the profile: " + (fitted.empty() ? "none" : fitted);
  if (profile_.families.size() < static_cast<std::size_t>(kOpFamilyCount)) s += "; other families: roofline default";
  return s;
}

}  // namespace deepsim
