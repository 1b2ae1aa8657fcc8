// KernelProfile: a calibration profile in memory — per op family, a fitted shape model of kernel time,
// its fit quality, plus communication figures. The shape model is shared by prediction (ProfileModel)
// and fitting (calibrate/), so both evaluate the very same features:
//
//   x0 = launches (1 for one kernel)         launch and fixed cost        [s]
//   x1 = F / (wave(tiles, s) * useful) * S/s  FLOPs, inflated by wave quantisation over the s of S SMs
//   x2 = G*M*K, x3 = G*N*K, x4 = G*M*N       elements of A (activations), B (weights), D (output)
//   x5 = bytes                               HBM bytes, for families without a GEMM shape
//
//   form sum:  t = c . x                     (linear in c: the fit is a non-negative least squares)
//   form max:  t = c0 + max(c1 x1, c2 x2 + c3 x3 + c4 x4 + c5 x5)   (a roofline with measured ceilings)
//
// Why sum: an efficiency saturating in each dimension, 1/eff = (1/e)(1 + m0/M + n0/N + k0/K), turns
// F/eff into c1 F + c1 m0 (2NK) + c1 n0 (2MK) + c1 k0 (2MN): the operand terms above. So the same
// coefficients read both as "compute plus per-operand traffic" and as "efficiency saturating in M, N, K".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/perf/op_work.h"

namespace deepsim {

inline constexpr int kProfileFeatureCount = 6;
using ProfileFeatures = std::array<double, kProfileFeatureCount>;

enum class ProfileForm : std::uint8_t { kSum, kMax };
[[nodiscard]] const char* to_string(ProfileForm f);

// Output tile used for wave quantisation; 0 x 0 means "no wave term".
struct TileShape {
  int m = 0;
  int n = 0;
  friend bool operator==(const TileShape&, const TileShape&) = default;
};

// One fitted point, kept in the profile so readers can see where the model is good and where not.
struct ProfileResidual {
  std::int64_t m = 0, n = 0, k = 0, groups = 1;
  double measured_us = 0;
  double predicted_us = 0;
  [[nodiscard]] double rel_error() const { return (predicted_us - measured_us) / measured_us; }
};

struct FitQuality {
  int points = 0;
  double mape = 0;         // mean |pred - meas| / meas over the fitted points
  double rms_rel = 0;      // sqrt(mean ((pred - meas) / meas)^2)
  double max_rel = 0;      // max |pred - meas| / meas
  double loo_mape = 0;     // leave-one-out cross-validated MAPE
  double loo_rms_rel = 0;  // leave-one-out cross-validated RMS relative error
};

struct FamilyModel {
  OpFamily family = OpFamily::kGemmFp8;
  ProfileForm form = ProfileForm::kSum;
  TileShape tile;
  // c0 [s], c1 [s/FLOP], c2..c4 [s/element], c5 [s/byte]; all >= 0.
  std::array<double, kProfileFeatureCount> coef{};
  std::optional<FitQuality> quality;     // absent when built from quoted rates, not fitted
  std::vector<ProfileResidual> residuals;
  std::string basis;                     // where the data came from, in words
};

// A quoted communication figure (DeepEP-style dispatch/combine bandwidths); used by the comm models.
struct CommFigure {
  std::string kind;            // "intranode", "internode", "low_latency", ...
  int ep = 0;                  // expert-parallel group size
  Bandwidth dispatch;
  Bandwidth combine;
  int sms = 0;                 // SMs the communication kernels held (0: not quoted)
  std::string source;
};

struct KernelProfile {
  std::string name;            // "h800-published"
  std::string device;          // GPU catalog name, "H800"
  int sms = 0;                 // SMs of the device the data was taken on (S in the features)
  std::string date;            // date of the newest source
  std::string source;          // one line: where the data came from
  std::string generated_by;    // the command that wrote it
  std::vector<FamilyModel> families;
  std::vector<CommFigure> communication;

  [[nodiscard]] const FamilyModel* find(OpFamily f) const;
};

// The features of `op` on `sms` of `device_sms` SMs, for a model with tile `tile`.
[[nodiscard]] ProfileFeatures profile_features(const OpWork& op, TileShape tile, int sms, int device_sms);
// Predicted seconds of `op` (no rounding; ProfileModel turns it into Time).
[[nodiscard]] double predict_seconds(const FamilyModel& m, const OpWork& op, int sms, int device_sms);

}  // namespace deepsim
