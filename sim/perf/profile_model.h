// ProfileModel: the KernelModel of a calibration profile (kernel_profile.h). Families the profile fits
// are timed by their fitted shape model; families it lacks fall back to the roofline default, and
// describe() names both, so a report always says which numbers were measured and which assumed.
#pragma once

#include "sim/perf/kernel_model.h"
#include "sim/perf/kernel_profile.h"
#include "sim/perf/roofline_model.h"

namespace deepsim {

class ProfileModel final : public KernelModel {
 public:
  // `gpu` is the simulated GPU; its SM count bounds `sms` in time(). The profile's own SM count (the
  // device it was measured on) is the S of the features.
  ProfileModel(GpuSpec gpu, KernelProfile profile);
  [[nodiscard]] Time time(const OpWork& op, int sms) const override;
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] KernelSource source(OpFamily family) const override;
  [[nodiscard]] const KernelProfile& profile() const { return profile_; }

 private:
  GpuSpec gpu_;
  KernelProfile profile_;
  RooflineModel fallback_;
};

}  // namespace deepsim
