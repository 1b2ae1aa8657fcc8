// deepsim-exec's command line, in-process: no GPU and no --cpu-reference exits 3 with the reason; the CPU
// reference path trains and writes both files; bad input exits 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "kernels/device.h"
#include "runtime/cli.h"
#include "runtime_test_util.h"

namespace deepsim::runtime {
namespace {

struct Result {
  int code;
  std::string out, err;
};

Result exec(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"deepsim-exec"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

TEST(ExecCli, WithoutAGpuExitsThreeWithTheReason) {
  if (kernels::query_device().available) GTEST_SKIP() << "a GPU is present: the no-GPU exit is not reachable";
  const auto dir = std::filesystem::temp_directory_path() / "deepsim_exec_cli_nogpu";
  const Result r = exec({"--config", test::source_path("scenarios/exec/tiny.yaml"), "--out", dir.string()});
  EXPECT_EQ(r.code, kExitNoGpu);
  EXPECT_NE(r.err.find("no usable GPU"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--cpu-reference"), std::string::npos);
}

TEST(ExecCli, CpuReferenceTrainsAndWritesBothFiles) {
  const auto dir = std::filesystem::temp_directory_path() / "deepsim_exec_cli_cpu";
  std::filesystem::remove_all(dir);
  const Result r = exec({"--config", test::source_path("scenarios/exec/tiny.yaml"), "--cpu-reference", "--steps", "1",
                         "--out", dir.string()});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("tokens/s"), std::string::npos);
  std::ifstream run_file(dir / "measured-run.json");
  const auto run = nlohmann::json::parse(run_file);
  EXPECT_EQ(run["schema"], "deepsim.measured-run/1");
  EXPECT_NE(run["executor"].get<std::string>().find("cpu-reference"), std::string::npos);
  ASSERT_EQ(run["steps"].size(), 1u);
  EXPECT_EQ(run["steps"][0]["tokens"], 4 * 64);
  EXPECT_GT(run["steps"][0]["end_ns"].get<std::uint64_t>(), run["steps"][0]["start_ns"].get<std::uint64_t>());
  EXPECT_EQ(run["exec_config"]["model"]["hidden"], 256);
  EXPECT_NE(run["config"].get<std::string>().find("hidden: 256"), std::string::npos);  // the scenario text
  EXPECT_TRUE(std::filesystem::exists(dir / "trace.json"));
}

TEST(ExecCli, BadInputExitsTwo) {
  EXPECT_EQ(exec({"--bogus"}).code, kExitBadInput);
  EXPECT_EQ(exec({}).code, kExitBadInput);
  EXPECT_EQ(exec({"--config", "/nonexistent.yaml", "--cpu-reference"}).code, kExitBadInput);
  EXPECT_EQ(exec({"--config", test::source_path("scenarios/exec/tiny.yaml"), "--steps", "x"}).code, kExitBadInput);
  // small.yaml is far too big for the CPU reference.
  const Result big = exec({"--config", test::source_path("scenarios/exec/small.yaml"), "--cpu-reference"});
  EXPECT_EQ(big.code, kExitBadInput);
  EXPECT_NE(big.err.find("tiny configs"), std::string::npos);
}

// --help and --version are answered before the GPU or the config is looked at (they exited 2 or 3 here
// before), and every number is parsed whole: `--steps 1x` was 1.
TEST(ExecCli, HelpAndVersionNeedNoGpuAndNumbersAreStrict) {
  const Result h = exec({"--help"});
  EXPECT_EQ(h.code, kExitOk) << h.err;
  EXPECT_NE(h.out.find("--config FILE"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("--version"), std::string::npos) << h.out;
  const Result v = exec({"--version"});
  EXPECT_EQ(v.code, kExitOk);
  EXPECT_EQ(v.out.rfind("deepsim-exec ", 0), 0u) << v.out;
  const std::string tiny = test::source_path("scenarios/exec/tiny.yaml");
  for (const char* bad : {"1x", "1e3", "0", "-2", "2000000"}) {
    const Result r = exec({"--config", tiny, "--cpu-reference", "--steps", bad});
    EXPECT_EQ(r.code, kExitBadInput) << bad;
    EXPECT_NE(r.err.find("deepsim-exec --steps: expected an integer in 1..1000000"), std::string::npos) << r.err;
  }
  const Result empty = exec({"--config", tiny, "--cpu-reference", "--out", ""});
  EXPECT_EQ(empty.code, kExitBadInput);
  const Result typo = exec({"--conifg", tiny});
  EXPECT_EQ(typo.code, kExitBadInput);
  EXPECT_NE(typo.err.find("did you mean '--config'?"), std::string::npos) << typo.err;
}

// Step lines print "930 ms", never "9.3e+02 ms".
TEST(ExecCli, StepTimesHaveNoExponent) {
  const auto dir = std::filesystem::temp_directory_path() / "deepsim_exec_cli_units";
  const Result r = exec({"--config", test::source_path("scenarios/exec/tiny.yaml"), "--cpu-reference", "--steps", "2",
                         "--out", dir.string()});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out.find("e+0"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("e-0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step time (median after step 0): "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace deepsim::runtime
