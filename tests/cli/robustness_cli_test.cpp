// Issue 18 through the real binary: each input that once hung, crashed, gave exit 1 or 3, or passed
// `validate` only to fail in `run`, now gives exit 2 with file:line:key (or, for a plan over HBM, exit 0
// with a WARNING line a script can see).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;

using Result = deepsim::test::CliResult;

// `cwd`: run from that folder (empty: the test's own). A hang fails the test after 120 s.
Result run(const std::string& args, const std::string& redirect = "2>&1", const std::string& cwd = "") {
  return deepsim::test::run_deepsim(args, redirect, cwd, 120);
}


constexpr const char* kSmall = deepsim::test::kSmallScenario;

struct CliRobustness : ::testing::Test {
  fs::path dir = fs::temp_directory_path() /
                 ("deepsim_cli_robustness_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
};

TEST_F(CliRobustness, AOneByteCommaFileIsRefusedNotAnEndlessLoop) {
  const Result r = run("validate " + file("comma.yaml", ","));
  EXPECT_EQ(r.code, 2) << r.out;  // 124 would be the timeout: the loop
  EXPECT_NE(r.out.find("comma.yaml:1:1:"), std::string::npos) << r.out;
}

TEST_F(CliRobustness, BatchOnAFifoIsRefused) {
  const fs::path fifo = dir / "pipe.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const Result r = run("batch " + fifo.string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("not a regular file"), std::string::npos) << r.out;
}

TEST_F(CliRobustness, ValidateRefusesWhatRunRefusesWithTheKeysLine) {
  const std::string s = file("s.yaml", std::string(kSmall) + "calibration:\n  profile: no-such-profile\n");
  for (const char* cmd : {"validate ", "run --quiet "}) {
    const Result r = run(cmd + s);
    EXPECT_EQ(r.code, 2) << cmd << r.out;
    EXPECT_NE(r.out.find("s.yaml:9:3: calibration.profile: no calibration profile"), std::string::npos) << cmd << r.out;
  }
  // A missing routing trace, named at its key (it used to pass validate and fail in run, at no line).
  const std::string t = file("t.yaml", std::string(kSmall) + "moe:\n  source: trace\n  trace_path: gone.csv\n");
  const Result r = run("validate " + t);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("t.yaml:10:3: moe.trace_path: no such routing trace"), std::string::npos) << r.out;
  // A phase plan the schedule cannot run (dualpipe needs an even pp): was accepted by validate.
  const Result p = run("validate " + s + " --set calibration.profile= --set 'context_extension.stage1={steps: 5, plan: \"parallel.pp=1; parallel.dp=16; parallel.ep=16; parallel.schedule=dualpipe\"}'");
  EXPECT_EQ(p.code, 2) << p.out;
  EXPECT_NE(p.out.find("context_extension.stage1.plan"), std::string::npos) << p.out;
}

TEST_F(CliRobustness, ANanCoefficientInAProfileIsRefused) {
  const std::string profile = file("nan.yaml", R"(schema: 1
name: nan
device: H100
sms: 132
families:
  gemm_fp8:
    form: sum
    tile: [128, 128]
    coefficients: {launch_s: .nan, s_per_flop: 1e-15}
)");
  const std::string s = file("s.yaml", std::string(kSmall) + "calibration: {profile: nan.yaml}\n");
  const Result r = run("validate " + s);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("nan.yaml:9:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("finite"), std::string::npos) << r.out;
  // Bad structure is exit 2 too, not 1.
  file("nan.yaml", "schema: 1\nname: x\ndevice: H100\nsms: 132\nfamilies: {gemm_fp8: [1, 2]}\n");
  EXPECT_EQ(run("validate " + s).code, 2);
}

TEST_F(CliRobustness, AVerySlowNicIsAnInputErrorNotABug) {
  // 0.001 Gb/s: "tasks never finished ... flow rate is 0 ... This is a bug" before.
  const Result r = run("run --quiet " + file("s.yaml", kSmall) + " --set cluster.nic_overrides.line_rate_gbps=0.001");
  EXPECT_TRUE(r.code == 0 || r.code == 2) << r.out;
  EXPECT_EQ(r.out.find("This is a bug"), std::string::npos) << r.out;
}

TEST_F(CliRobustness, AVerySlowGpuIsAnInputErrorNamingTheClock) {
  const Result r = run("run --quiet " + file("s.yaml", kSmall) +
                       " --set cluster.gpu_overrides.bf16_dense_tflops=0.001 --set cluster.gpu_overrides.fp8_dense_tflops=0.001"
                       " --set training.seq_len=65536");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("106 days"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("s.yaml:3:"), std::string::npos) << r.out;  // the cluster section's line
}

TEST_F(CliRobustness, DenseIntermediateNotDivisibleByTpIsBadInput) {
  const Result r = run("validate " + file("s.yaml", kSmall) + " --set parallel.tp=2 --set parallel.dp=4 --set parallel.ep=8"
                       " --set parallel.micro_batches=8 --set model.dense_intermediate=1001");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("model.dense_intermediate"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("internal error"), std::string::npos) << r.out;
}

TEST_F(CliRobustness, APlanOverHbmRunsButWarnsOnStderr) {
  const std::string s = file("s.yaml", kSmall);
  const Result warn = run("run --quiet " + s + " --set cluster.gpu_overrides.hbm_gb=1 --out " + (dir / "o").string(),
                          "2>&1 >/dev/null");  // stderr only
  EXPECT_EQ(warn.code, 0) << warn.out;
  EXPECT_NE(warn.out.find("WARNING: does not fit in HBM"), std::string::npos) << warn.out;
  std::ifstream result(dir / "o" / "result.json");
  std::ostringstream text;
  text << result.rdbuf();
  const std::string json = text.str();
  EXPECT_NE(json.find("\"fits\": false"), std::string::npos);
  const Result fine = run("run --quiet " + s, "2>&1 >/dev/null");
  EXPECT_EQ(fine.code, 0) << fine.out;
  EXPECT_EQ(fine.out.find("WARNING"), std::string::npos) << fine.out;
}

TEST_F(CliRobustness, BatchOfASweepWhosePointsAreBadInputExitsTwo) {
  file("base.yaml", kSmall);
  const std::string sw = file("sw.yaml", "sweep: 1\nbase: base.yaml\ngrid:\n  parallel.dp: [3, 5]\n");
  const Result r = run("batch --quiet " + sw + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 2) << r.out;  // was 1
  EXPECT_NE(r.out.find("2 failed"), std::string::npos) << r.out;
}

TEST_F(CliRobustness, AUtf8BrokenNameIsRefusedByValidate) {
  const std::string small(kSmall);
  const std::string rest = small.substr(small.find("cluster:"));
  const Result n = run("validate " + file("n.yaml", "schema: 1\nname: \"r\xff\"\n" + rest));
  EXPECT_EQ(n.code, 2) << n.out;
  EXPECT_NE(n.out.find("UTF-8"), std::string::npos) << n.out;
}

}  // namespace

TEST_F(CliRobustness, ARelativeAndAnAbsolutePathToOneScenarioGiveTheSameResultBytes) {
  // result.json once carried the path as typed, so `run a.yaml` and `run /abs/a.yaml` differed in bytes.
  const std::string abs = file("s.yaml", kSmall);
  const Result relative = run("run s.yaml --json", "2>/dev/null", dir.string());
  const Result absolute = run("run " + abs + " --json", "2>/dev/null", "/");
  ASSERT_EQ(relative.code, 0) << relative.out;
  ASSERT_EQ(absolute.code, 0) << absolute.out;
  EXPECT_NE(relative.out.find("\"source_file\""), std::string::npos);
  EXPECT_EQ(relative.out, absolute.out);
}
