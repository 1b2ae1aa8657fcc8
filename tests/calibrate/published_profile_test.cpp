// The shipped H800 profile against the published table it was fitted to (reference R21), and a check
// that it is exactly what `deepsim-calibrate fit --published h800` produces from calibrate/data/.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "calib_test_util.h"
#include "calibrate/src/benchmark_set.h"
#include "calibrate/src/profile_builder.h"
#include "sim/hw/catalog.h"
#include "sim/perf/profile_model.h"
#include "sim/perf/profile_yaml.h"

namespace deepsim::calib {
namespace {

struct R21Row {
  std::int64_t m, n, k;
  double tflops;
};
// Reference R21 (DeepGEMM README @ a9967bc, H800): typed here from the reference, independently of the
// CSV transcription in calibrate/data/published/h800/, so a transcription slip would show.
constexpr R21Row kR21[] = {
    {64, 2112, 7168, 206},    {64, 24576, 1536, 289},   {64, 32768, 512, 219},    {64, 7168, 16384, 336},
    {64, 4096, 7168, 287},    {64, 7168, 2048, 295},    {128, 2112, 7168, 352},   {128, 24576, 1536, 535},
    {128, 32768, 512, 358},   {128, 7168, 16384, 645},  {128, 4096, 7168, 533},   {128, 7168, 2048, 510},
    {4096, 2112, 7168, 1127}, {4096, 24576, 1536, 1212}, {4096, 32768, 512, 775}, {4096, 7168, 16384, 1520},
    {4096, 4096, 7168, 1410}, {4096, 7168, 2048, 1168},
};

std::string shipped_path() { return test::source_path("calibrate/profiles/h800-published.yaml"); }

TEST(PublishedH800Profile, PredictsR21WithinItsReportedFitError) {
  // Tolerance: the profile's own reported figures for gemm_fp8 — every row within max_rel and the mean
  // within mape (at the time of writing 19.6% and 7.5%), plus 1e-6 for the picosecond rounding of
  // ProfileModel::time().
  const KernelProfile p = read_profile_file(shipped_path());
  const FamilyModel* f = p.find(OpFamily::kGemmFp8);
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->quality.has_value());
  EXPECT_EQ(f->quality->points, 18);
  const ProfileModel model(*find_gpu("H800"), p);
  double sum = 0;
  for (const R21Row& r : kR21) {
    const double measured = 2.0 * r.m * r.n * r.k / (r.tflops * 1e12);
    const double predicted = model.time(gemm_work(OpFamily::kGemmFp8, r.m, r.n, r.k, 1), 132).seconds();
    const double err = std::abs(predicted - measured) / measured;
    EXPECT_LE(err, f->quality->max_rel + 1e-6) << r.m << "x" << r.n << "x" << r.k;
    sum += err;
  }
  EXPECT_LE(sum / std::size(kR21), f->quality->mape + 1e-6);
  // The large-M rows (the shapes of training) are much better than the worst small-M row.
  for (const R21Row& r : kR21) {
    if (r.m != 4096) continue;
    const double measured = 2.0 * r.m * r.n * r.k / (r.tflops * 1e12);
    EXPECT_NEAR(model.time(gemm_work(OpFamily::kGemmFp8, r.m, r.n, r.k, 1), 132).seconds() / measured, 1.0, 0.10);
  }
}

TEST(PublishedH800Profile, IsReproducedFromThePublishedData) {
  BuildOptions opt;
  opt.name = "h800-published";
  opt.generated_by = "deepsim-calibrate fit --published h800 --out calibrate/profiles/h800-published.yaml";
  const BuildResult r = build_profile(read_published_dir(test::source_path("calibrate/data/published/h800")), opt);
  std::ifstream in(shipped_path());
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(profile_to_yaml(r.profile), text.str())
      << "regenerate: deepsim-calibrate fit --published h800 --out calibrate/profiles/h800-published.yaml";
}

TEST(PublishedH800Profile, ComputeRateNeverExceedsTheFp8Peak) {
  const KernelProfile p = read_profile_file(shipped_path());
  for (OpFamily f : {OpFamily::kGemmFp8, OpFamily::kGroupedGemmFp8})
    EXPECT_GE(p.find(f)->coef[1] * find_gpu("H800")->fp8_dense.per_s(), 1.0 - 1e-12);
}

}  // namespace
}  // namespace deepsim::calib
