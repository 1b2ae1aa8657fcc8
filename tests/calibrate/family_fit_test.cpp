#include "calibrate/src/family_fit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "calibrate/src/nnls.h"

namespace deepsim::calib {
namespace {

constexpr int kSms = 132;

// A known model: 3 us launch, 1500 TFLOPS, and per-element costs of A, B, D that a real GEMM's operand
// traffic would give (2e-13 s per element = 5 TB/s per byte for FP8, and so on).
FamilyModel truth() {
  FamilyModel m;
  m.family = OpFamily::kGemmFp8;
  m.tile = {128, 128};
  m.coef = {3e-6, 1.0 / 1500e12, 2e-13, 3e-13, 4e-13, 0};
  return m;
}

std::vector<KernelSample> synthetic(double noise, std::uint64_t seed) {
  std::mt19937_64 gen(seed);  // the engine's sequence is specified by the standard; the mapping below too
  std::vector<KernelSample> out;
  for (std::int64_t m : {64, 256, 1024, 4096})
    for (std::int64_t n : {1024, 4096, 7168})
      for (std::int64_t k : {512, 2048, 7168}) {
        const OpWork w = gemm_work(OpFamily::kGemmFp8, m, n, k, 1);
        const double u = static_cast<double>(gen() >> 11) * 0x1.0p-53;  // uniform [0, 1)
        const double t = predict_seconds(truth(), w, kSms, kSms) * (1 + noise * (2 * u - 1));
        out.push_back({w, Time::from_seconds(t), kSms, "synthetic"});
      }
  return out;
}

TEST(Nnls, ClampsANegativeCoefficientToZero) {
  // b = 4 - x fits exactly without constraints (slope -1). With slope >= 0 the best is slope 0 and the
  // intercept the mean of b: (3 + 2 + 1) / 3 = 2.
  Eigen::MatrixXd a(3, 2);
  a << 1, 1, 1, 2, 1, 3;
  Eigen::VectorXd b(3);
  b << 3, 2, 1;
  const NnlsResult r = solve_nnls(a, b);
  EXPECT_NEAR(r.x(0), 2.0, 1e-12);
  EXPECT_EQ(r.x(1), 0.0);
  EXPECT_NEAR(r.residual_norm, std::sqrt(2.0), 1e-12);  // residuals 1, 0, -1
}

TEST(FamilyFit, RecoversKnownCoefficientsWithoutNoise) {
  const auto samples = synthetic(0.0, 1);
  FitOptions opt;
  opt.tiles = {{128, 128}};
  const FamilyModel m = fit_family(OpFamily::kGemmFp8, samples, kSms, opt);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_NEAR(m.coef[i] / truth().coef[i], 1.0, 1e-5) << "coefficient " << i;
  EXPECT_EQ(m.coef[5], 0.0);
  ASSERT_TRUE(m.quality.has_value());
  EXPECT_EQ(m.quality->points, 36);
  EXPECT_LT(m.quality->max_rel, 1e-6);  // only the picosecond rounding of the sample times remains
  EXPECT_LT(m.quality->loo_rms_rel, 1e-6);
}

TEST(FamilyFit, CrossValidationPicksTheTrueTile) {
  const FamilyModel m = fit_family(OpFamily::kGemmFp8, synthetic(0.0, 1), kSms);
  EXPECT_EQ(m.tile, (TileShape{128, 128}));
}

TEST(FamilyFit, NoisyDataGivesCloseCoefficientsAndHonestErrors) {
  // +-2% uniform noise: the fit error should be about the noise (uniform on [-2%, 2%] has MAPE 1%),
  // the compute rate (the dominant term) within a few percent, and predictions near the truth.
  const auto samples = synthetic(0.02, 7);
  FitOptions opt;
  opt.tiles = {{128, 128}};
  const FamilyModel m = fit_family(OpFamily::kGemmFp8, samples, kSms, opt);
  EXPECT_NEAR(m.coef[1] / truth().coef[1], 1.0, 0.05);
  EXPECT_LT(m.quality->mape, 0.02);
  EXPECT_GT(m.quality->mape, 0.002);
  EXPECT_GE(m.quality->loo_mape, m.quality->mape);  // held-out points are never fitted better on average here
  for (const KernelSample& s : samples)
    EXPECT_NEAR(predict_seconds(m, s.op, kSms, kSms) / predict_seconds(truth(), s.op, kSms, kSms), 1.0, 0.03);
}

TEST(FamilyFit, PeakFloorKeepsComputeAtOrBelowPeak) {
  FitOptions opt;
  opt.tiles = {{128, 128}};
  opt.peak_flops_per_s = 1000e12;  // below the true 1500 TFLOPS: the floor binds
  const FamilyModel m = fit_family(OpFamily::kGemmFp8, synthetic(0.0, 1), kSms, opt);
  EXPECT_GE(m.coef[1], 1.0 / 1000e12 * (1 - 1e-12));
}

TEST(LeaveOneOut, HandCheckedThreePointLine) {
  // Memory-bound family: t = c0 + c5 * bytes (no FLOPs). Points (bytes, t in s): (1, 3), (2, 4), (4, 5).
  // Leaving one out, two points remain and the line through them has c0, c5 >= 0, so it is the fit:
  //   drop (1,3): line through (2,4),(4,5): t = 3 + b/2   -> predicts 3.5 at b=1: error (3.5-3)/3 = +1/6
  //   drop (2,4): line through (1,3),(4,5): t = 7/3 + 2b/3 -> predicts 11/3 at b=2: (11/3-4)/4  = -1/12
  //   drop (4,5): line through (1,3),(2,4): t = 2 + b     -> predicts 6 at b=4:   (6-5)/5     = +1/5
  // LOO MAPE = (1/6 + 1/12 + 1/5) / 3 = 0.15; LOO RMS = sqrt((1/36 + 1/144 + 1/25) / 3).
  std::vector<KernelSample> s;
  for (auto [b, t] : {std::pair{1.0, 3.0}, {2.0, 4.0}, {4.0, 5.0}}) {
    OpWork w;
    w.family = OpFamily::kMemoryBound;
    w.bytes = Bytes(b);
    s.push_back({w, Time::from_seconds(t), kSms, "hand"});
  }
  const std::vector<double> loo = leave_one_out_errors(s, OpFamily::kMemoryBound, {0, 0}, kSms);
  ASSERT_EQ(loo.size(), 3u);
  EXPECT_NEAR(loo[0], 1.0 / 6, 1e-12);
  EXPECT_NEAR(loo[1], -1.0 / 12, 1e-12);
  EXPECT_NEAR(loo[2], 1.0 / 5, 1e-12);
  const FitQuality q = fit_quality(loo, loo);
  EXPECT_NEAR(q.loo_mape, 0.15, 1e-12);
  EXPECT_NEAR(q.loo_rms_rel, std::sqrt((1.0 / 36 + 1.0 / 144 + 1.0 / 25) / 3), 1e-12);
  EXPECT_NEAR(q.max_rel, 0.2, 1e-12);
}

}  // namespace
}  // namespace deepsim::calib
