// `deepsim compare` on measured-run files made here: exit codes, compare.json and its arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;

using Result = deepsim::test::CliResult;

Result deepsim(const std::string& args) { return deepsim::test::run_deepsim(args); }

fs::path scratch() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() / "deepsim_cli_compare" / info->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A measured run of scenarios/exec/tiny.yaml on an H200: one warm-up step and one timed step of step_ms,
// with one BF16 GEMM kernel of 200 us in F.
std::string write_run(const fs::path& dir, const std::string& name, double step_ms) {
  std::ifstream in(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/exec/tiny.yaml");
  std::ostringstream yaml;
  yaml << in.rdbuf();
  const auto end1 = static_cast<std::int64_t>(1'000'000 + step_ms * 1e6);
  nlohmann::json j = {{"schema", "deepsim.measured-run/1"},
                      {"device", {{"name", "NVIDIA H200"}, {"sms", 132}}},
                      {"date", "2026-12-01T00:00:00Z"},
                      {"config", yaml.str()},
                      {"steps", {{{"index", 0}, {"start_ns", 0}, {"end_ns", 1'000'000}, {"warmup", true}},
                                 {{"index", 1}, {"start_ns", 1'000'000}, {"end_ns", end1}}}},
                      {"kernels", {{{"name", "nvjet_bf16"}, {"start_ns", 1'000'000}, {"end_ns", 1'200'000}, {"step", 1},
                                    {"op", "mla.q_b"}, {"phase", "F"}, {"family", "gemm_bf16"}}}}};
  const fs::path p = dir / name;
  std::ofstream(p) << j.dump(1);
  return p.string();
}

TEST(CompareCli, OneRunWritesCompareJsonWithErrorsOfItsOwnFigures) {
  const fs::path dir = scratch();
  const std::string run = write_run(dir, "a.json", 2.0);
  const Result r = deepsim("compare " + run + " --out " + (dir / "out").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("step (wall)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step simulator"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("H200"), std::string::npos) << r.out;
  std::ifstream in(dir / "out" / "compare.json");
  ASSERT_TRUE(in) << r.out;
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["schema"], "deepsim.compare/1");
  const auto& step = j["runs"][0]["step"];
  EXPECT_DOUBLE_EQ(step["measured_ms"].get<double>(), 2.0);
  const double pred = step["predicted_ms"].get<double>();
  EXPECT_GT(pred, 0);
  EXPECT_NEAR(step["error_pct"].get<double>(), 100 * (pred - 2.0) / 2.0, 1e-9);
  bool has_f = false;
  for (const auto& p : j["runs"][0]["phases"]) has_f |= p["key"] == "F" && !p["predicted_ms"].is_null();
  EXPECT_TRUE(has_f);
  EXPECT_TRUE(fs::exists(dir / "out" / "compare.txt"));
}

TEST(CompareCli, SeveralRunsGiveOneSummaryWithTheMeanAbsoluteError) {
  const fs::path dir = scratch();
  const std::string a = write_run(dir, "a.json", 2.0);
  const std::string b = write_run(dir, "b.json", 0.5);
  const Result r = deepsim("compare " + a + " " + b + " --out " + (dir / "out").string() + " --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("summary over 2 runs"), std::string::npos) << r.out;
  std::ifstream in(dir / "out" / "compare.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_EQ(j["runs"].size(), 2u);
  const double ea = j["runs"][0]["step"]["error_pct"].get<double>();
  const double eb = j["runs"][1]["step"]["error_pct"].get<double>();
  EXPECT_NEAR(j["summary"]["step_mape_pct"].get<double>(), (std::abs(ea) + std::abs(eb)) / 2, 1e-9);
  // Same scenario, same device: the same prediction against a 4x different measurement.
  EXPECT_DOUBLE_EQ(j["runs"][0]["step"]["predicted_ms"].get<double>(), j["runs"][1]["step"]["predicted_ms"].get<double>());
}

TEST(CompareCli, BadInputExitsTwo) {
  const fs::path dir = scratch();
  EXPECT_EQ(deepsim("compare").code, 2);
  EXPECT_EQ(deepsim("compare " + (dir / "missing.json").string()).code, 2);
  std::ofstream(dir / "broken.json") << R"({"schema": "deepsim.measured-run/1", "device": {"name": "NVIDIA H200"}})";
  const Result r = deepsim("compare " + (dir / "broken.json").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("broken.json"), std::string::npos) << r.out;
}

}  // namespace
