// The `reference:` section: published or measured figures beside the prediction. Every figure needs its
// source, 0 is not a way to leave one out, and a scenario without the section resolves (and hashes) as
// before: nothing of it is written.
#include <gtest/gtest.h>

#include "sim/scenario/loader.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

using test::default_yaml;
using test::load_error;

std::string without_reference(const std::string& text) { return text.substr(0, text.find("\nreference:")) + "\n"; }

TEST(Reference, TheDefaultScenarioCarriesTheTrsFigures) {
  const Scenario s = load_scenario_text(default_yaml(), "default.yaml");
  EXPECT_TRUE(s.reference.given());
  EXPECT_EQ(s.reference.kind, "published");
  EXPECT_DOUBLE_EQ(s.reference.step_time_s, 19.9);
  EXPECT_DOUBLE_EQ(s.reference.gpu_hours, 2664000);
  EXPECT_DOUBLE_EQ(s.reference.cost_usd, 5328000);
  EXPECT_NE(s.reference.gpu_hours_source.find("TR Table 1"), std::string::npos);
  // Written back by to_yaml, and read again to the same figures.
  const Scenario again = load_scenario_text(to_yaml(s), "resolved.yaml");
  EXPECT_EQ(again.reference, s.reference);
}

TEST(Reference, AbsentSectionWritesNothing) {
  const Scenario s = load_scenario_text(without_reference(default_yaml()), "default.yaml");
  EXPECT_FALSE(s.reference.given());
  EXPECT_EQ(to_yaml(s).find("\nreference:"), std::string::npos);  // no section (the model's source text cites "reference R8")
}

TEST(Reference, AFigureWithoutItsSourceIsRefusedAtItsLine) {
  const std::string text = without_reference(default_yaml()) + "reference:\n  gpu_hours: 2664000\n";
  const InputError e = load_error(text);
  EXPECT_EQ(e.key(), "reference.gpu_hours");
  EXPECT_EQ(e.pos().line, test::line_of(text, "gpu_hours: 2664000"));
  EXPECT_NE(e.hint().find("reference.gpu_hours_source"), std::string::npos) << e.hint();
}

TEST(Reference, ASourceWithoutItsFigureIsRefused) {
  const InputError e = load_error(without_reference(default_yaml()) + "reference:\n  cost_source: \"TR Table 1\"\n");
  EXPECT_EQ(e.key(), "reference.cost_source");
}

TEST(Reference, ZeroIsOutOfRangeNotAbsent) {
  const InputError e = load_error(without_reference(default_yaml()) +
                                  "reference:\n  step_time_s: 0\n  step_time_source: \"a run\"\n");
  EXPECT_EQ(e.key(), "reference.step_time_s");
}

TEST(Reference, MeasuredKindWithoutFiguresIsRefused) {
  const InputError e = load_error(without_reference(default_yaml()) + "reference:\n  kind: measured\n");
  EXPECT_EQ(e.key(), "reference.kind");
}

TEST(Reference, OverridesSetTheFiguresLikeTheFile) {
  const Scenario s = load_scenario_text(without_reference(default_yaml()), "default.yaml",
                                        std::vector<std::string>{"reference.kind=measured", "reference.step_time_s=21.5",
                                                                 "reference.step_time_source=our 2048-GPU run"});
  EXPECT_EQ(s.reference.kind, "measured");
  EXPECT_DOUBLE_EQ(s.reference.step_time_s, 21.5);
  EXPECT_EQ(s.reference.step_time_source, "our 2048-GPU run");
}

}  // namespace
}  // namespace deepsim
