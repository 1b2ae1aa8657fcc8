#include "sim/perf/kernel_profile.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/perf/roofline_model.h"

namespace deepsim {

const char* to_string(ProfileForm f) { return f == ProfileForm::kSum ? "sum" : "max"; }

const FamilyModel* KernelProfile::find(OpFamily f) const {
  for (const FamilyModel& m : families)
    if (m.family == f) return &m;
  return nullptr;
}

ProfileFeatures profile_features(const OpWork& op, TileShape tile, int sms, int device_sms) {
  DEEPSIM_ASSERT(sms > 0 && device_sms > 0, "SM counts must be positive");
  ProfileFeatures x{};
  x[0] = static_cast<double>(std::max(op.launches, 1));  // each launch pays the fixed cost
  // Fewer SMs slow the tensor cores proportionally; HBM bandwidth is reachable from far fewer SMs, so the
  // memory terms are not scaled (the same assumption as RooflineModel).
  double flops = op.flops.value() * static_cast<double>(device_sms) / static_cast<double>(sms);
  const bool shaped = is_gemm_family(op.family) && op.m > 0 && op.n > 0 && op.k > 0;
  const double g = static_cast<double>(std::max<std::int64_t>(op.groups, 1));
  if (shaped && tile.m > 0 && tile.n > 0) {
    const std::int64_t tiles = std::max<std::int64_t>(op.groups, 1) * ((op.m + tile.m - 1) / tile.m) *
                               ((op.n + tile.n - 1) / tile.n);
    // Partial tiles run the whole tile's tensor-core work; idle SMs in the last wave add nothing useful.
    const double useful = g * static_cast<double>(op.m) * static_cast<double>(op.n) /
                          (static_cast<double>(tiles) * tile.m * tile.n);
    flops /= wave_efficiency(tiles, sms) * useful;
  }
  x[1] = flops;
  if (shaped) {
    const auto m = static_cast<double>(op.m), n = static_cast<double>(op.n), k = static_cast<double>(op.k);
    x[2] = g * m * k;
    x[3] = g * n * k;
    x[4] = g * m * n;
  } else {
    x[5] = op.bytes.value();
  }
  return x;
}

double predict_seconds(const FamilyModel& m, const OpWork& op, int sms, int device_sms) {
  const ProfileFeatures x = profile_features(op, m.tile, sms, device_sms);
  if (m.form == ProfileForm::kSum) {
    double t = 0;
    for (int i = 0; i < kProfileFeatureCount; ++i) t += m.coef[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
    return t;
  }
  const double compute = m.coef[1] * x[1];
  const double memory = m.coef[2] * x[2] + m.coef[3] * x[3] + m.coef[4] * x[4] + m.coef[5] * x[5];
  return m.coef[0] + std::max(compute, memory);
}

}  // namespace deepsim
