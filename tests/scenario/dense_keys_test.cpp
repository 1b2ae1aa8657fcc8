// The dense-model keys (model.mlp, model.norm, model.linear_bias, model.dropout,
// model.position_embeddings, model.attention.core) and training.recompute's modes: loaded, validated,
// and refused with the key to blame.
#include <gtest/gtest.h>

#include "sim/scenario/loader.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

using test::default_yaml;
using test::load_error;
using test::replace_line;

Scenario load_with(const std::string& name, std::vector<std::string> overrides) {
  return load_scenario_text(default_yaml(), name, overrides);
}

TEST(DenseKeys, GptPresetOnA100LoadsWithMegatronRecompute) {
  const Scenario s = load_with("gpt.yaml", {"model.preset=gpt-175b", "cluster.gpu=A100-80GB", "training.precision=bf16",
                                         "training.seq_len=2048", "training.recompute=full", "parallel.ep=1"});
  EXPECT_EQ(s.model.mlp, MlpKind::kGelu);
  EXPECT_EQ(s.model.norm, NormKind::kLayerNorm);
  EXPECT_EQ(s.model.attention.core, AttentionCore::kUnfused);
  EXPECT_TRUE(s.model.linear_bias);
  EXPECT_DOUBLE_EQ(s.model.dropout, 0.1);
  EXPECT_EQ(s.model.position_embeddings, 2048);
  EXPECT_EQ(s.training.recompute, RecomputeMode::kFull);
  // The resolved YAML (what the forecast's phases reload) reads back: the A100's FP8 peak of 0 is a
  // valid override value, not a range error.
  const Scenario again = load_scenario_text(to_yaml(s), "gpt.yaml");
  EXPECT_EQ(again.cluster.gpu, s.cluster.gpu);
  EXPECT_EQ(again.model, s.model);
  EXPECT_EQ(again.training.recompute, RecomputeMode::kFull);
}

TEST(DenseKeys, FieldsOverrideThePreset) {
  const Scenario s = load_with("x.yaml", {"model.mlp=gelu", "model.norm=layernorm", "model.attention.core=unfused",
                                         "model.dropout=0.05", "training.recompute=selective"});
  EXPECT_EQ(s.model.name, "deepseek-v3");
  EXPECT_EQ(s.model.mlp, MlpKind::kGelu);
  EXPECT_EQ(s.model.norm, NormKind::kLayerNorm);
  EXPECT_EQ(s.model.attention.core, AttentionCore::kUnfused);
  EXPECT_DOUBLE_EQ(s.model.dropout, 0.05);
  EXPECT_EQ(s.training.recompute, RecomputeMode::kSelective);
}

TEST(DenseKeys, DefaultScenarioKeepsDeepSeeksPartialRecompute) {
  EXPECT_EQ(load_scenario_text(default_yaml(), "d.yaml").training.recompute, RecomputeMode::kPartial);
}

TEST(DenseKeys, OldBooleanRecomputeIsRefusedWithWhatItMeant) {
  const std::string yaml = replace_line(default_yaml(), "  recompute: partial", "  recompute: true");
  const InputError e = load_error(yaml);
  EXPECT_EQ(e.key(), "training.recompute");
  EXPECT_NE(e.hint().find("partial"), std::string::npos) << e.hint();
  const InputError f = load_error(default_yaml(), {"training.recompute=sometimes"});
  EXPECT_EQ(f.key(), "training.recompute");
}

TEST(DenseKeys, BadValuesNameTheKey) {
  EXPECT_EQ(load_error(default_yaml(), {"model.mlp=relu"}).key(), "model.mlp");
  EXPECT_EQ(load_error(default_yaml(), {"model.norm=batchnorm"}).key(), "model.norm");
  EXPECT_EQ(load_error(default_yaml(), {"model.dropout=1.5"}).key(), "model.dropout");
  EXPECT_EQ(load_error(default_yaml(), {"model.attention.core=fast"}).key(), "model.attention.core");
  // A sequence longer than the learned position table has no embedding to look up.
  const InputError e = load_error(default_yaml(), {"model.position_embeddings=2048"});
  EXPECT_EQ(e.key(), "training.seq_len");
  EXPECT_NE(e.message().find("position"), std::string::npos) << e.message();
}

}  // namespace
}  // namespace deepsim
