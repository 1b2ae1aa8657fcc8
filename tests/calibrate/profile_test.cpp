#include <gtest/gtest.h>

#include <algorithm>

#include "calib_test_util.h"
#include "calibrate/src/kernel_sample.h"
#include "sim/core/error.h"
#include "sim/hw/catalog.h"
#include "sim/perf/kernel_model_factory.h"
#include "sim/perf/profile_model.h"
#include "sim/perf/profile_yaml.h"

namespace deepsim {
namespace {

using calib::gemm_work;

KernelProfile sample_profile() {
  KernelProfile p;
  p.name = "unit";
  p.device = "H800";
  p.sms = 132;
  p.date = "2025-01-01";
  p.source = "a \"quoted\" source";
  p.generated_by = "test";
  FamilyModel g;
  g.family = OpFamily::kGemmFp8;
  g.tile = {128, 256};
  // Values with long binary expansions, so a lossy writer would show.
  g.coef = {1.0 / 3 * 1e-5, 1.0 / 1777e12, 1.0 / 7 * 1e-12, 2.0 / 3 * 1e-13, 0.1 * 1e-12, 0};
  g.quality = FitQuality{18, 0.0751, 0.094, 0.196, 0.0948, 0.118};
  g.residuals.push_back({64, 2112, 7168, 1, 9.4, 7.6});
  g.basis = "synthetic";
  p.families.push_back(g);
  FamilyModel a;
  a.family = OpFamily::kAttentionFwd;
  a.form = ProfileForm::kMax;
  a.coef = {0, 1.0 / 660e12, 0, 0, 0, 1.0 / 3000e9};
  p.families.push_back(a);
  p.communication.push_back({"intranode", 8, Bandwidth::gb_per_s(153), Bandwidth::gb_per_s(158), 24, "R24"});
  return p;
}

TEST(ProfileYaml, RoundTripKeepsCoefficientsAndPredictions) {
  const KernelProfile p = sample_profile();
  const std::string yaml = profile_to_yaml(p);
  const KernelProfile q = profile_from_yaml(yaml, "mem.yaml");
  ASSERT_EQ(q.families.size(), 2u);
  EXPECT_EQ(q.families[0].coef, p.families[0].coef);  // bit-identical: 17 significant digits
  EXPECT_EQ(q.families[1].coef, p.families[1].coef);
  EXPECT_EQ(q.families[0].tile, p.families[0].tile);
  EXPECT_EQ(q.families[1].form, ProfileForm::kMax);
  EXPECT_EQ(q.source, p.source);
  EXPECT_EQ(q.communication[0].ep, 8);
  EXPECT_DOUBLE_EQ(q.communication[0].combine.gb_per_s(), 158);
  EXPECT_EQ(profile_to_yaml(q), yaml);  // writing again gives the same bytes

  const GpuSpec h800 = *find_gpu("H800");
  const ProfileModel a(h800, p), b(h800, q);
  for (const OpWork& w : {gemm_work(OpFamily::kGemmFp8, 64, 2112, 7168, 1), gemm_work(OpFamily::kGemmFp8, 4096, 7168, 2048, 1)})
    for (int sms : {132, 112}) EXPECT_EQ(a.time(w, sms), b.time(w, sms));
}

TEST(ProfileYaml, BadKeysAndValuesNameTheirLine) {
  std::string yaml = profile_to_yaml(sample_profile());
  const auto pos = yaml.find("      s_per_flop:");
  yaml.insert(pos, "      s_per_flops: 1\n");  // misspelt key on the line before s_per_flop
  const int line = static_cast<int>(std::count(yaml.begin(), yaml.begin() + static_cast<long>(pos), '\n')) + 1;
  try {
    (void)profile_from_yaml(yaml, "bad.yaml");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.pos().file, "bad.yaml");
    EXPECT_EQ(e.pos().line, line);
    EXPECT_NE(e.hint().find("s_per_flop"), std::string::npos);
  }
  EXPECT_THROW((void)profile_from_yaml("schema: 1\nname: x\ndevice: H800\nsms: 0\n", "z.yaml"), InputError);
}

TEST(ProfileModel, MissingFamiliesFallBackToRooflineAndDescribeSaysSo) {
  const GpuSpec h800 = *find_gpu("H800");
  const ProfileModel m(h800, sample_profile());
  const RooflineModel roof(h800, default_roofline_params());
  OpWork bwd;
  bwd.family = OpFamily::kAttentionBwd;
  bwd.flops = Flops(1e12);
  bwd.bytes = Bytes(1e8);
  EXPECT_EQ(m.time(bwd, 132), roof.time(bwd, 132));
  EXPECT_NE(m.describe().find("'unit'"), std::string::npos);
  EXPECT_NE(m.describe().find("roofline default"), std::string::npos);
}

TEST(ProfileModel, MaxFormIsARooflineWithTheQuotedCeilings) {
  // attention_fwd: 1e12 FLOP at 660 TFLOPS = 1.515 ms against 1e9 B at 3000 GB/s = 0.333 ms: compute wins.
  // On 66 of 132 SMs the compute term doubles.
  const ProfileModel m(*find_gpu("H800"), sample_profile());
  OpWork w;
  w.family = OpFamily::kAttentionFwd;
  w.flops = Flops(1e12);
  w.bytes = Bytes(1e9);
  EXPECT_NEAR(m.time(w, 132).seconds(), 1e12 / 660e12, 1e-12);
  EXPECT_NEAR(m.time(w, 66).seconds(), 2e12 / 660e12, 1e-12);
}

TEST(KernelModelFactory, EmptyProfileIsTheRooflineDefault) {
  const auto m = make_kernel_model(*find_gpu("H800"), "");
  EXPECT_NE(m->describe().find("roofline"), std::string::npos);
}

TEST(KernelModelFactory, FindsShippedProfileByNameFromAScenarioFolder) {
  const auto m = make_kernel_model(*find_gpu("H800"), "h800-published", calib::test::source_path("scenarios/default.yaml"));
  EXPECT_NE(m->describe().find("h800-published"), std::string::npos);
}

TEST(KernelModelFactory, UnknownNameAndWrongDeviceAreInputErrors) {
  EXPECT_THROW((void)make_kernel_model(*find_gpu("H800"), "no-such-profile", "s.yaml"), InputError);
  const std::string path = calib::test::source_path("calibrate/profiles/h800-published.yaml");
  try {
    (void)make_kernel_model(*find_gpu("H100"), path, "s.yaml");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "calibration.profile");
    EXPECT_NE(e.message().find("H800"), std::string::npos);
  }
}

}  // namespace
}  // namespace deepsim
