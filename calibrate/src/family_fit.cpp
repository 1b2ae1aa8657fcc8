#include "calibrate/src/family_fit.h"

#include <cmath>
#include <limits>

#include "calibrate/src/nnls.h"
#include "sim/core/error.h"

namespace deepsim::calib {

std::vector<int> active_features(OpFamily f) {
  if (is_gemm_family(f)) return {0, 1, 2, 3, 4};
  return {0, 1, 5};
}

std::array<double, kProfileFeatureCount> fit_coefficients(std::span<const KernelSample> samples, OpFamily family,
                                                         TileShape tile, int device_sms, double peak_flops_per_s) {
  // c1 = 1/peak + d with d >= 0: the floor moves to the right-hand side and NNLS keeps d >= 0.
  const double c1_floor = peak_flops_per_s > 0 ? 1.0 / peak_flops_per_s : 0.0;
  const std::vector<int> cols = active_features(family);
  Eigen::MatrixXd a(static_cast<Eigen::Index>(samples.size()), static_cast<Eigen::Index>(cols.size()));
  Eigen::VectorXd b = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(samples.size()));
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double t = samples[i].time.seconds();
    DEEPSIM_ASSERT(t > 0, "a kernel sample needs a positive duration");
    const ProfileFeatures x = profile_features(samples[i].op, tile, samples[i].sms, device_sms);
    for (std::size_t j = 0; j < cols.size(); ++j)
      a(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = x[static_cast<std::size_t>(cols[j])] / t;
    b(static_cast<Eigen::Index>(i)) -= c1_floor * x[1] / t;
  }
  const NnlsResult r = solve_nnls(a, b);
  std::array<double, kProfileFeatureCount> coef{};
  for (std::size_t j = 0; j < cols.size(); ++j) coef[static_cast<std::size_t>(cols[j])] = r.x(static_cast<Eigen::Index>(j));
  coef[1] += c1_floor;
  return coef;
}

std::vector<double> relative_errors(const FamilyModel& model, std::span<const KernelSample> samples, int device_sms) {
  std::vector<double> rel;
  rel.reserve(samples.size());
  for (const KernelSample& s : samples) {
    const double meas = s.time.seconds();
    rel.push_back((predict_seconds(model, s.op, s.sms, device_sms) - meas) / meas);
  }
  return rel;
}

std::vector<double> leave_one_out_errors(std::span<const KernelSample> samples, OpFamily family, TileShape tile,
                                         int device_sms, double peak_flops_per_s) {
  std::vector<double> rel;
  std::vector<KernelSample> rest;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    rest.clear();
    for (std::size_t j = 0; j < samples.size(); ++j)
      if (j != i) rest.push_back(samples[j]);
    FamilyModel m;
    m.family = family;
    m.tile = tile;
    m.coef = fit_coefficients(rest, family, tile, device_sms, peak_flops_per_s);
    const double meas = samples[i].time.seconds();
    rel.push_back((predict_seconds(m, samples[i].op, samples[i].sms, device_sms) - meas) / meas);
  }
  return rel;
}

namespace {
struct ErrorStats {
  double mape = 0, rms = 0, max = 0;
};
ErrorStats stats(std::span<const double> rel) {
  ErrorStats s;
  if (rel.empty()) return s;
  for (double e : rel) {
    s.mape += std::abs(e);
    s.rms += e * e;
    s.max = std::max(s.max, std::abs(e));
  }
  const auto n = static_cast<double>(rel.size());
  s.mape /= n;
  s.rms = std::sqrt(s.rms / n);
  return s;
}
}  // namespace

FitQuality fit_quality(std::span<const double> rel, std::span<const double> loo_rel) {
  const ErrorStats in = stats(rel), loo = stats(loo_rel);
  return {static_cast<int>(rel.size()), in.mape, in.rms, in.max, loo.mape, loo.rms};
}

FamilyModel fit_family(OpFamily family, std::span<const KernelSample> samples, int device_sms,
                       const FitOptions& options) {
  DEEPSIM_ASSERT(samples.size() >= 2, "a family fit needs at least two samples");
  for (const KernelSample& s : samples) DEEPSIM_ASSERT(s.op.family == family, "samples of one family only");
  std::vector<TileShape> tiles = is_gemm_family(family) ? options.tiles : std::vector<TileShape>{{0, 0}};
  if (tiles.empty()) tiles.push_back({0, 0});

  FamilyModel best;
  std::vector<double> best_loo;
  double best_score = std::numeric_limits<double>::infinity();
  for (const TileShape tile : tiles) {
    std::vector<double> loo = leave_one_out_errors(samples, family, tile, device_sms, options.peak_flops_per_s);
    const double score = fit_quality(loo, loo).rms_rel;
    if (score < best_score * (1 - 1e-9)) {  // a clear improvement only, so the earlier candidate wins ties
      best_score = score;
      best.tile = tile;
      best_loo = std::move(loo);
    }
  }
  best.family = family;
  best.form = ProfileForm::kSum;
  best.coef = fit_coefficients(samples, family, best.tile, device_sms, options.peak_flops_per_s);
  const std::vector<double> rel = relative_errors(best, samples, device_sms);
  best.quality = fit_quality(rel, best_loo);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const OpWork& op = samples[i].op;
    const double meas_us = samples[i].time.us_value();
    best.residuals.push_back({op.m, op.n, op.k, op.groups, meas_us, meas_us * (1 + rel[i])});
  }
  return best;
}

}  // namespace deepsim::calib
