// The executor reads the shipped scenarios (which the simulator's loader accepts too) and their sibling
// exec files, and rejects what it cannot run with the key to blame.
#include <gtest/gtest.h>

#include "runtime/config.h"
#include "runtime/config_json.h"
#include "runtime_test_util.h"

namespace deepsim::runtime {
namespace {

using test::source_path;

TEST(ExecConfig, TinyLoadsWithItsExecFile) {
  const ExecConfig c = load_exec_config(source_path("scenarios/exec/tiny.yaml"));
  EXPECT_EQ(c.name, "exec-tiny");
  EXPECT_EQ(c.model.layers, 2);
  EXPECT_EQ(c.model.hidden, 256);
  EXPECT_EQ(c.model.routed_experts, 8);
  EXPECT_TRUE(c.model.is_moe_layer(1));
  EXPECT_FALSE(c.model.is_moe_layer(0));
  EXPECT_EQ(c.model.mtp_depth, 1);
  EXPECT_EQ(c.training.precision, Precision::kBf16);
  EXPECT_EQ(c.exec.steps, 30);       // from tiny.exec.yaml
  EXPECT_FLOAT_EQ(c.exec.lr, 3e-3f);
  EXPECT_EQ(c.tokens_per_step(), 4 * 64);
}

TEST(ExecConfig, SmallAndEp2Load) {
  const ExecConfig s = load_exec_config(source_path("scenarios/exec/small.yaml"));
  EXPECT_EQ(s.training.precision, Precision::kFp8);
  const ExecConfig e = load_exec_config(source_path("scenarios/exec/ep2.yaml"));
  EXPECT_EQ(e.parallel.ep, 2);
  EXPECT_EQ(e.parallel.world_size(), 2);
}

const char* kBase = R"(schema: 1
cluster: {gpu: H100, nodes: 1, gpus_per_node: 1}
model:
  layers: 2
  hidden: 64
  vocab: 100
  dense_intermediate: 32
  attention: {kind: mla, heads: 2, kv_lora_rank: 16, qk_nope_head_dim: 8, qk_rope_head_dim: 4, v_head_dim: 8}
parallel: {micro_batch_size: 1, micro_batches: 2}
training: {tokens: 1M, seq_len: 16, global_batch: 2, precision: bf16}
)";

TEST(ExecConfig, ExecSectionInlineAndErrorsNameTheKey) {
  const ExecConfig c = load_exec_config_text(std::string(kBase) + "exec: {steps: 3, seed: 9}\n", "", "inline.yaml");
  EXPECT_EQ(c.exec.steps, 3);
  EXPECT_EQ(c.exec.seed, 9u);
  try {
    (void)load_exec_config_text(std::string(kBase) + "exec: {stpes: 3}\n", "", "bad.yaml");
    FAIL() << "unknown exec key accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:11:8: exec.stpes"), std::string::npos) << e.what();
  }
}

TEST(ExecConfig, RejectsWhatTheExecutorCannotRun) {
  const std::string base(kBase);
  EXPECT_THROW((void)load_exec_config_text(base, "exec: {steps: 0}", "x.yaml"), ConfigError);
  std::string preset = base;
  preset.replace(preset.find("model:\n"), 7, "model:\n  preset: deepseek-v3\n");
  EXPECT_THROW((void)load_exec_config_text(preset, "", "x.yaml"), ConfigError);
  std::string batch = base;
  batch.replace(batch.find("global_batch: 2"), 15, "global_batch: 3");
  EXPECT_THROW((void)load_exec_config_text(batch, "", "x.yaml"), ConfigError);
  std::string tp = base;
  tp.replace(tp.find("micro_batch_size: 1"), 19, "micro_batch_size: 1, tp: 2");
  EXPECT_THROW((void)load_exec_config_text(tp, "", "x.yaml"), ConfigError);
}

TEST(ExecConfig, JsonUsesScenarioKeys) {
  const ExecConfig c = load_exec_config(source_path("scenarios/exec/tiny.yaml"));
  const auto j = config_to_json(c);
  EXPECT_EQ(j["model"]["attention"]["qk_rope_head_dim"], 64);
  EXPECT_EQ(j["model"]["moe"]["top_k"], 2);
  EXPECT_EQ(j["parallel"]["micro_batches"], 2);
  EXPECT_EQ(j["training"]["precision"], "bf16");
  EXPECT_EQ(j["exec"]["steps"], 30);
}

}  // namespace
}  // namespace deepsim::runtime
