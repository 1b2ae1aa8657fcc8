// deepsim diff's comparison on two hand-made results: changed inputs key by key, figures with delta and
// relative change, absent figures and phases, bad files named.
#include "sim/report/result_diff.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/core/error.h"

namespace deepsim {
namespace {

nlohmann::json result(double step_s, double cost, const std::string& yaml, bool with_sft) {
  nlohmann::json j;
  j["result_schema"] = 1;
  j["scenario"]["name"] = "s";
  j["step"]["time_s"] = step_s;
  j["step"]["exposed_dp_s"] = step_s / 10;
  j["step"]["phase_time_s"]["steady"] = step_s / 2;
  j["run"]["cost_usd"] = cost;
  j["phases"] = nlohmann::json::array();
  j["phases"].push_back({{"key", "pretrain"}, {"days", 10.0}, {"cost", {{"usd", cost}}}});
  if (with_sft) j["phases"].push_back({{"key", "sft"}, {"days", 1.0}});
  j["assumptions"]["scenario_yaml"] = yaml;
  return j;
}

const FigureChange& find(const ResultDiff& d, const std::string& group, const std::string& name) {
  for (const auto& f : d.figures)
    if (f.group == group && f.name == name) return f;
  throw std::runtime_error("no figure " + group + "/" + name);
}

TEST(ResultDiff, InputsKeyByKeyAndFiguresWithDeltaAndRatio) {
  const auto a = result(2.0, 100.0, "parallel: {pp: 16, dp: 128}\nname: s\nlist: [1, 2]\n", false);
  const auto b = result(1.5, 120.0, "parallel: {pp: 8, dp: 128}\nname: s\nlist: [1, 3]\nextra: x\n", true);
  const ResultDiff d = diff_results(a, b);
  ASSERT_EQ(d.inputs.size(), 3u);  // extra (added), list[1], parallel.pp; dp and name unchanged
  EXPECT_EQ(d.inputs[0].key, "extra");
  EXPECT_FALSE(d.inputs[0].a.has_value());
  EXPECT_EQ(d.inputs[1].key, "list[1]");
  EXPECT_EQ(d.inputs[2].key, "parallel.pp");
  EXPECT_EQ(*d.inputs[2].a, "16");
  EXPECT_EQ(*d.inputs[2].b, "8");
  const FigureChange& step = find(d, "headline", "step time");
  EXPECT_DOUBLE_EQ(*step.delta(), -0.5);
  EXPECT_DOUBLE_EQ(*step.relative(), -0.25);
  EXPECT_DOUBLE_EQ(*find(d, "headline", "cost").relative(), 0.2);
  EXPECT_DOUBLE_EQ(*find(d, "headline", "exposed DP sync").delta(), -0.05);
  EXPECT_DOUBLE_EQ(*find(d, "step phase", "steady").delta(), -0.25);
  const FigureChange& sft = find(d, "run phase sft", "days");  // only B has it
  EXPECT_FALSE(sft.a.has_value());
  EXPECT_FALSE(sft.delta().has_value());
  const std::string text = format_diff(d);
  EXPECT_NE(text.find("parallel.pp"), std::string::npos) << text;
  EXPECT_NE(text.find("16  ->  8"), std::string::npos) << text;
  EXPECT_NE(text.find("(-25.0%)"), std::string::npos) << text;
  const auto j = diff_json(d);
  EXPECT_EQ(j["inputs"][2]["b"], "8");
  EXPECT_TRUE(j["figures"][0]["relative"].is_number());
}

TEST(ResultDiff, BadFilesAreInputErrorsNamingTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / "deepsim_diff_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.json") << "{not json";
  std::ofstream(dir / "other.json") << "{\"a\": 1}";
  std::string used;
  EXPECT_THROW((void)read_result((dir / "missing.json").string(), used), InputError);
  try {
    (void)read_result((dir / "bad.json").string(), used);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)read_result((dir / "other.json").string(), used), InputError);
  std::ofstream(dir / "result.json") << result(1, 1, "", false).dump();
  (void)read_result(dir.string(), used);  // a run folder
  EXPECT_EQ(used, (dir / "result.json").string());
}

}  // namespace
}  // namespace deepsim
