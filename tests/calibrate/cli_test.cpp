#include "calibrate/src/cli.h"

#include <gtest/gtest.h>

#include <sstream>

#include "calib_test_util.h"
#include "sim/perf/profile_yaml.h"

namespace deepsim::calib {
namespace {

int run(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
  std::ostringstream o, e;
  const int rc = run_calibrate(args, o, e);
  if (out) *out = o.str();
  if (err) *err = e.str();
  return rc;
}

TEST(CalibrateCli, UsageAndUnknownCommandExitTwo) {
  EXPECT_EQ(run({}), kExitBadInput);
  std::string err;
  EXPECT_EQ(run({"fitt"}, nullptr, &err), kExitBadInput);
  EXPECT_NE(err.find("did you mean 'fit'"), std::string::npos);
  EXPECT_EQ(run({"fit"}, nullptr, &err), kExitBadInput);  // no --out
}

// `deepsim-calibrate show --help` used to exit 2 ("expected one of: " with an empty list) and
// `--version` was an unknown command.
TEST(CalibrateCli, EveryCommandHasHelpAndVersionExitsZero) {
  std::string out, err;
  EXPECT_EQ(run({"--help"}, &out), kExitOk);
  for (const char* c : {"fit", "show", "import-kineto", "compare"}) {
    EXPECT_NE(out.find(c), std::string::npos) << c;  // the program's help lists every command
    std::string cmd_out;
    EXPECT_EQ(run({c, "--help"}, &cmd_out), kExitOk) << c;
    EXPECT_NE(cmd_out.find(std::string("usage: deepsim-calibrate ") + c), std::string::npos) << cmd_out;
  }
  EXPECT_EQ(run({"--version"}, &out), kExitOk);
  EXPECT_EQ(out.rfind("deepsim-calibrate ", 0), 0u) << out;
  EXPECT_EQ(run({"show", "x", "--bogus"}, nullptr, &err), kExitBadInput);
  EXPECT_NE(err.find("this command takes no options"), std::string::npos) << err;
  EXPECT_EQ(err.find("expected one of: \n"), std::string::npos) << err;
  EXPECT_EQ(run({"compare", "m.json", "--profle", "p"}, nullptr, &err), kExitBadInput);
  EXPECT_NE(err.find("did you mean '--profile'?"), std::string::npos) << err;
  EXPECT_EQ(run({"fit", "--out", ""}, nullptr, &err), kExitBadInput);  // an empty value is never meant
}

TEST(CalibrateCli, FitFromATableAndShowIt) {
  // Twelve rows generated from t = 2 us + F / 500 TFLOPS (no operand terms; below the 989 TFLOPS BF16
  // peak, so the peak floor does not bind): the fit is exact up to the 6 digits written.
  const auto dir = test::scratch_dir();
  std::string csv = "# source: unit test\n# date: 2025-01-01\n# device: H800\n# sms: 132\nfamily,m,n,k,groups,time_us\n";
  // Shapes vary in M, N and K so that F = 2MNK, MK, NK and MN are not collinear.
  for (int m : {256, 1024, 4096})
    for (int n : {1024, 4096})
      for (int k : {1024, 8192})
        csv += "gemm_bf16," + std::to_string(m) + "," + std::to_string(n) + "," + std::to_string(k) + ",1," +
               std::to_string(2.0 + 2.0 * m * n * k / 500e12 * 1e6) + "\n";
  test::write_file(dir / "t.csv", csv);
  const std::string profile = (dir / "p.yaml").string();
  std::string out;
  ASSERT_EQ(run({"fit", "--published", "x", "--data", (dir / "missing").string(), "--out", profile}, nullptr, &out),
            kExitBadInput);  // no such published folder
  std::filesystem::create_directories(dir / "published" / "unit");
  std::filesystem::rename(dir / "t.csv", dir / "published" / "unit" / "t.csv");
  ASSERT_EQ(run({"fit", "--published", "unit", "--data", dir.string(), "--out", profile}, &out), kExitOk) << out;
  const KernelProfile p = read_profile_file(profile);
  ASSERT_NE(p.find(OpFamily::kGemmBf16), nullptr);
  EXPECT_NEAR(1e-12 / p.find(OpFamily::kGemmBf16)->coef[1], 500.0, 0.5);  // TFLOPS
  EXPECT_LT(p.find(OpFamily::kGemmBf16)->quality->mape, 1e-5);
  ASSERT_EQ(run({"show", profile}, &out), kExitOk);
  EXPECT_NE(out.find("gemm_bf16"), std::string::npos);
}

TEST(CalibrateCli, MistypedTableRowIsReportedWithFileAndLine) {
  // The second data row's GB/s does not follow from its shape and TFLOPS (a transcription slip).
  const auto dir = test::scratch_dir();
  std::filesystem::create_directories(dir / "published" / "h800");
  test::write_file(dir / "published" / "h800" / "d.csv",
                   "# device: H800\n# sms: 132\nfamily,m,n,k,groups,tflops,gbps\n"
                   "gemm_fp8,4096,7168,16384,1,1520,384\n"
                   "gemm_fp8,4096,4096,7168,1,1410,999\n");
  std::string err;
  EXPECT_EQ(run({"fit", "--published", "h800", "--data", dir.string(), "--out", (dir / "p.yaml").string()}, nullptr, &err),
            kExitBadInput);
  EXPECT_NE(err.find("h800/d.csv:5"), std::string::npos) << err;
  EXPECT_NE(err.find("gbps"), std::string::npos);
}

}  // namespace
}  // namespace deepsim::calib
