// The front-end API's scenario docs: load, overrides as form fields, diagnostics with positions, saving.
#include "sim/api/scenario_doc.h"

#include <gtest/gtest.h>

#include "sim/core/error.h"

#include "sim/api/fields.h"
#include "sim/scenario/loader.h"

namespace deepsim::api {
namespace {

const std::string kDefault = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml";

TEST(ScenarioDoc, LoadsTheDefaultAndAppliesOverridesInOrder) {
  ScenarioDoc doc = read_scenario_doc(kDefault);
  EXPECT_EQ(load(doc).cluster.nodes, 256);
  set_override(doc, "cluster.nodes", "128");
  set_override(doc, "parallel.dp", "64");
  set_override(doc, "cluster.nodes", "512");  // replaces, does not stack
  set_override(doc, "parallel.dp", "256");
  set_override(doc, "parallel.micro_batches", "60");  // 15360 sequences / 256 DP ranks
  ASSERT_EQ(doc.overrides.size(), 3U);
  EXPECT_EQ(override_of(doc, "cluster.nodes"), "512");
  const Scenario s = load(doc);
  EXPECT_EQ(s.cluster.nodes, 512);
  EXPECT_EQ(s.parallel.dp, 256);
  set_override(doc, "cluster.nodes", "");
  EXPECT_FALSE(override_of(doc, "cluster.nodes").has_value());
}

TEST(ScenarioDoc, AnOverrideErrorNamesTheFieldsKeyAndTheOverride) {
  ScenarioDoc doc = read_scenario_doc(kDefault);
  EXPECT_FALSE(validate(doc).has_value());
  set_override(doc, "cluster.nodes", "-3");
  const auto d = validate(doc);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->key, "cluster.nodes");
  EXPECT_TRUE(d->from_override()) << d->text;
  EXPECT_NE(d->text.find("cluster.nodes"), std::string::npos);
}

TEST(ScenarioDoc, ATextErrorCarriesItsFileLineAndKey) {
  // Line 4 holds the misspelt key; the diagnostic must point there, with a did-you-mean.
  const ScenarioDoc doc{"schema: 1\ncluster:\n  gpu: H800\n  nodez: 4\n", "edited.yaml", {}};
  const auto d = validate(doc);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->file, "edited.yaml");
  EXPECT_EQ(d->line, 4);
  EXPECT_EQ(d->key, "cluster.nodez");
  EXPECT_NE(d->hint.find("nodes"), std::string::npos) << d->text;
  EXPECT_THROW((void)load(doc), deepsim::InputError);
}

TEST(ScenarioDoc, MergedYamlLoadsToTheSameScenario) {
  ScenarioDoc doc = read_scenario_doc(kDefault);
  set_override(doc, "cluster.gpu", "H100");
  set_override(doc, "parallel.comm_sms", "24");
  const std::string saved = merged_yaml(doc);
  const ScenarioDoc reread{saved, "saved.yaml", {}};
  EXPECT_EQ(to_yaml(load(reread)), to_yaml(load(doc)));
  EXPECT_EQ(load(reread).cluster.gpu.name, "H100");
  EXPECT_EQ(load(reread).parallel.comm_sms, 24);
}

TEST(Fields, ComeFromTheSchemaWithChoicesRangesAndValues) {
  const auto gpu = field_info("cluster.gpu");
  ASSERT_TRUE(gpu.has_value());
  EXPECT_EQ(gpu->type, FieldType::kChoice);
  EXPECT_NE(std::find(gpu->choices.begin(), gpu->choices.end(), "H800"), gpu->choices.end());
  const auto nodes = field_info("cluster.nodes");
  ASSERT_TRUE(nodes.has_value());
  EXPECT_EQ(nodes->type, FieldType::kInteger);
  EXPECT_GE(nodes->min, 1);
  EXPECT_FALSE(field_info("cluster").has_value());  // a section, not a key
  EXPECT_FALSE(fields_under("cluster.topology").empty());
  const Scenario s = load(read_scenario_doc(kDefault));
  EXPECT_EQ(field_value(s, "cluster.nodes"), "256");
  EXPECT_EQ(field_value(s, "cluster.gpu"), "H800");
  EXPECT_EQ(field_value(s, "parallel.schedule"), "dualpipe");
}

}  // namespace
}  // namespace deepsim::api
