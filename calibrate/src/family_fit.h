// Fitting one op family's shape model (sim/perf/kernel_profile.h) to timed kernel samples.
// The model is linear in its coefficients, so the fit is a weighted non-negative least squares with
// weights 1/t_measured: it minimises the sum of squared *relative* errors, so a 5 us kernel counts as
// much as a 600 us one. The wave-quantisation tile is not linear; each candidate tile is fitted and the
// one with the smallest leave-one-out RMS relative error is kept (model choice by cross-validation).
#pragma once

#include <span>
#include <vector>

#include "calibrate/src/kernel_sample.h"
#include "sim/perf/kernel_profile.h"

namespace deepsim::calib {

struct FitOptions {
  // Candidate output tiles for wave quantisation; {0, 0} means no wave term. GEMM families only.
  std::vector<TileShape> tiles = {{0, 0}, {128, 128}, {64, 128}, {128, 256}};
  // The device's dense peak for the family in FLOP/s (0: none). The compute coefficient is kept at or
  // above 1/peak: without it the operand terms let the fit "explain" large GEMMs with a compute rate
  // above the hardware's, which would extrapolate to impossible speeds.
  double peak_flops_per_s = 0;
};

// Which features (kernel_profile.h) a family's model uses: GEMMs 1, F, A, B, D; others 1, F, bytes.
[[nodiscard]] std::vector<int> active_features(OpFamily f);

// Coefficients of the sum-form model for a fixed tile (weighted NNLS).
[[nodiscard]] std::array<double, kProfileFeatureCount> fit_coefficients(std::span<const KernelSample> samples,
                                                                       OpFamily family, TileShape tile,
                                                                       int device_sms, double peak_flops_per_s = 0);
// Relative errors (pred - meas) / meas of `model` on `samples`.
[[nodiscard]] std::vector<double> relative_errors(const FamilyModel& model, std::span<const KernelSample> samples,
                                                  int device_sms);
// Leave-one-out: for each i, fit on all samples but i and return the relative error predicting i.
[[nodiscard]] std::vector<double> leave_one_out_errors(std::span<const KernelSample> samples, OpFamily family,
                                                       TileShape tile, int device_sms, double peak_flops_per_s = 0);
// MAPE, RMS relative and max from in-sample and leave-one-out relative errors.
[[nodiscard]] FitQuality fit_quality(std::span<const double> rel, std::span<const double> loo_rel);

// The full fit of one family: every candidate tile, the best by leave-one-out RMS, quality and residuals.
// All samples must be of `family`; at least two are needed.
[[nodiscard]] FamilyModel fit_family(OpFamily family, std::span<const KernelSample> samples, int device_sms,
                                     const FitOptions& options = {});

}  // namespace deepsim::calib
