// Runs the real `deepsim` binary: exit codes, error format, files written.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr together
};

Result deepsim(const std::string& args) {
  const std::string cmd = std::string(DEEPSIM_CLI) + " " + args + " 2>&1";
  Result r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) r.out += buf.data();
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string src(const std::string& rel) { return std::string(DEEPSIM_SOURCE_DIR) + "/" + rel; }

TEST(Cli, VersionAndHelp) {
  const Result v = deepsim("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("deepsim ", 0), 0u);
  const Result h = deepsim("--help");
  EXPECT_EQ(h.code, 0);
  for (const char* c : {"run", "validate", "model", "topo", "net-bench"}) EXPECT_NE(h.out.find(c), std::string::npos) << c;
  const Result rh = deepsim("run --help");
  EXPECT_EQ(rh.code, 0);
  EXPECT_NE(rh.out.find("--out DIR"), std::string::npos);
}

TEST(Cli, ValidateTypoPrintsFileLineAndDidYouMeanAndExitsTwo) {
  const Result r = deepsim("validate " + src("tests/scenario/data/typo.yaml"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("typo.yaml:12:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'micro_batches'?"), std::string::npos) << r.out;
}

TEST(Cli, ValidateDefaultIsOk) {
  const Result r = deepsim("validate " + src("scenarios/default.yaml"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("2048 x H800"), std::string::npos) << r.out;
}

TEST(Cli, UnknownCommandsAndOptionsAreBadInput) {
  const Result c = deepsim("rnu " + src("scenarios/default.yaml"));
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.out.find("did you mean 'run'?"), std::string::npos) << c.out;
  const Result o = deepsim("run " + src("scenarios/default.yaml") + " --otu x");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.out.find("did you mean '--out'?"), std::string::npos) << o.out;
  const Result m = deepsim("run");
  EXPECT_EQ(m.code, 2);
  const Result f = deepsim("run /nonexistent/scenario.yaml");
  EXPECT_EQ(f.code, 2) << f.out;
}

TEST(Cli, SetOverrideErrorsNameTheOverride) {
  const Result r = deepsim("validate " + src("scenarios/default.yaml") + " --set parallel.pp=15");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("2048"), std::string::npos) << r.out;  // pp x dp x tp does not match the GPUs
}

TEST(Cli, ModelPrintsDeepSeekV3Figures) {
  const Result r = deepsim("model deepseek-v3");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("671.03B"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("70272 B"), std::string::npos) << r.out;
  EXPECT_EQ(deepsim("model deepsek-v3").code, 2);
}

TEST(Cli, RunWritesResultJsonAndReport) {
  const auto dir = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_test_out";
  std::filesystem::remove_all(dir);
  const Result r = deepsim("run " + src("scenarios/default.yaml") + " --quiet --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(dir / "result.json");
  ASSERT_TRUE(in.good());
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["model"]["params_total"].get<std::int64_t>(), 671'026'419'200);
  EXPECT_TRUE(std::filesystem::exists(dir / "report.md"));
}

TEST(Cli, SameScenarioGivesByteIdenticalResults) {
  const auto a = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_det_a";
  const auto b = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_det_b";
  ASSERT_EQ(deepsim("run " + src("scenarios/default.yaml") + " --quiet --out " + a.string()).code, 0);
  ASSERT_EQ(deepsim("run " + src("scenarios/default.yaml") + " --quiet --out " + b.string()).code, 0);
  for (const auto& entry : std::filesystem::directory_iterator(a)) {
    std::ifstream fa(entry.path()), fb(b / entry.path().filename());
    std::stringstream sa, sb;
    sa << fa.rdbuf();
    sb << fb.rdbuf();
    EXPECT_EQ(sa.str(), sb.str()) << entry.path().filename();
  }
}

TEST(Cli, TopoDescribesTheDefaultFabric) {
  const Result r = deepsim("topo " + src("scenarios/default.yaml"));
  EXPECT_EQ(r.code, 0) << r.out;
  // 8 planes x (8 leaves + 4 spines) of radix-64 switches for 2048 NICs.
  EXPECT_NE(r.out.find("leaf 64, spine 32"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("8192 transceivers"), std::string::npos) << r.out;
}

TEST(Cli, NetBenchPrintsANcclTestsTableAndRejectsBadFlags) {
  const Result r = deepsim("net-bench " + src("scenarios/default.yaml") + " --collective all-reduce --gpus 8 --bytes 1M,8M");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("busbw"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("8388608"), std::string::npos) << r.out;
  const Result bad = deepsim("net-bench " + src("scenarios/default.yaml") + " --collective all-reduse");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("did you mean 'all-reduce'?"), std::string::npos) << bad.out;
  EXPECT_EQ(deepsim("net-bench " + src("scenarios/default.yaml") + " --bytes 12X").code, 2);
  EXPECT_EQ(deepsim("net-bench " + src("scenarios/default.yaml") + " --gpus 1").code, 2);
}

}  // namespace
