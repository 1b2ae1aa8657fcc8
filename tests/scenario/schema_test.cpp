// The schema table: docs/scenario.md carries every row, sections are contiguous (to_yaml relies on it),
// every choice reads back as itself, and the defaults lie inside their own ranges.
#include "sim/scenario/schema.h"

#include <gtest/gtest.h>

#include <set>

#include "sim/scenario/scalar_codec.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

TEST(Schema, DocsCarryEveryRowVerbatim) {
  const std::string docs = test::read_text(test::source_path("docs/scenario.md"));
  ASSERT_FALSE(docs.empty());
  std::istringstream rows(schema_markdown());
  std::string row;
  while (std::getline(rows, row)) EXPECT_NE(docs.find(row), std::string::npos) << "docs/scenario.md lacks:\n" << row;
  for (const auto& f : scenario_schema()) {
    std::string quoted(1, '`');  // appended piecewise: GCC 12 -O3 misreports "`" + s + "`" (-Wrestrict)
    quoted.append(f.path);
    quoted.push_back('`');
    EXPECT_NE(docs.find(quoted), std::string::npos) << f.path;
  }
}

TEST(Schema, TopLevelKeysInOrder) {
  EXPECT_EQ(child_keys(""), (std::vector<std::string>{"schema", "name", "seed", "cluster", "model", "parallel",
                                                      "training", "pricing", "calibration", "simulation",
                                                      "context_extension", "post_training", "failures", "forecast", "moe", "serving", "reference"}));
  EXPECT_TRUE(is_section("cluster.topology"));
  EXPECT_FALSE(is_section("parallel.pp"));
  EXPECT_NE(find_field("training.ramp.tokens"), nullptr);
  EXPECT_EQ(find_field("training.ramp"), nullptr);
}

TEST(Schema, SectionsAreContiguousAndPathsUnique) {
  std::set<std::string> closed, paths;
  std::string current;
  for (const auto& f : scenario_schema()) {
    EXPECT_TRUE(paths.insert(std::string(f.path)).second) << f.path;
    const std::string section(f.path.substr(0, f.path.find('.') == std::string_view::npos ? 0 : f.path.find('.')));
    if (section != current) {
      EXPECT_EQ(closed.count(section), 0u) << f.path << " reopens section " << section;
      closed.insert(current);
      current = section;
    }
  }
}

TEST(Schema, EveryChoiceReadsBackAsItself) {
  for (const auto& f : scenario_schema()) {
    if (f.kind != FieldKind::kChoice) continue;
    for (const auto& name : f.choices()) {
      Scenario s;
      f.set(s, FieldValue{name});
      const auto got = f.get(s);
      if (got) {
        EXPECT_EQ(std::get<std::string>(*got), name) << f.path;
      }
    }
  }
}

TEST(Schema, NumericDefaultsLieInTheirRanges) {
  const Scenario defaults;
  for (const auto& f : scenario_schema()) {
    if (f.need != Need::kOptional || !f.default_doc.empty()) continue;
    const auto v = f.get(defaults);
    ASSERT_TRUE(v.has_value()) << f.path;
    double x = 0;
    if (const auto* i = std::get_if<std::int64_t>(&*v))
      x = static_cast<double>(*i);
    else if (const auto* d = std::get_if<double>(&*v))
      x = *d;
    else
      continue;
    EXPECT_GE(x, f.min) << f.path;
    EXPECT_LE(x, f.max) << f.path;
  }
}

TEST(ScalarCodec, CountsAndShortestNumbers) {
  EXPECT_EQ(parse_count("14.8T"), 14.8e12);
  EXPECT_EQ(parse_count("469b"), 469e9);
  EXPECT_EQ(parse_count("32K"), 32000);
  EXPECT_EQ(parse_count("14.8X"), std::nullopt);
  EXPECT_EQ(parse_count("T"), std::nullopt);
  EXPECT_EQ(parse_count("nan"), std::nullopt);
  EXPECT_EQ(shortest(0.8), "0.8");
  EXPECT_EQ(shortest(989.4), "989.4");
}

}  // namespace
}  // namespace deepsim
