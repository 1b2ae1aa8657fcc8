// Good inputs: the shipped scenarios load with their published values, overrides and presets refine them,
// a fully spelled-out model loads, and to_yaml round-trips.
#include <gtest/gtest.h>

#include <limits>

#include "sim/hw/catalog.h"
#include "sim/model/presets.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

using test::default_yaml;
using test::source_path;

TEST(LoadDefault, HasThePublishedDeepSeekV3Setup) {
  const Scenario s = load_scenario_file(source_path("scenarios/default.yaml"));
  EXPECT_EQ(s.schema, 1);
  EXPECT_EQ(s.name, "deepseek-v3-pretrain-2048xH800");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.source_file, source_path("scenarios/default.yaml"));
  // Cluster (ISCA'25 4.1, 5.1): 256 x 8 H800, eight 400G IB NICs per node in an 8-plane fat-tree.
  EXPECT_EQ(s.cluster.gpu.name, "H800");
  EXPECT_EQ(s.cluster.gpu.sms, 132);
  EXPECT_EQ(s.cluster.nodes, 256);
  EXPECT_EQ(s.cluster.gpus_per_node, 8);
  EXPECT_EQ(s.cluster.total_gpus(), 2048);
  EXPECT_EQ(s.cluster.nics_per_node, 8);
  EXPECT_EQ(s.cluster.nic.name, "cx7-ib-400g");
  EXPECT_EQ(s.cluster.topology.kind, TopologyKind::kMultiPlaneFatTree);
  EXPECT_EQ(s.cluster.topology.switch_radix, 64);
  EXPECT_EQ(s.cluster.topology.oversubscription, 1.0);
  EXPECT_EQ(s.cluster.topology.planes, 8);
  // Model: the preset, untouched.
  EXPECT_EQ(s.model.name, "deepseek-v3");
  EXPECT_EQ(s.model.layers, 61);
  EXPECT_EQ(s.model.moe.routed_experts, 256);
  // Parallelism (TR 3.2): PP16 DualPipe, DP128, EP64, ZeRO-1, 120 micro-batches of one sequence.
  EXPECT_EQ(s.parallel.pp, 16);
  EXPECT_EQ(s.parallel.dp, 128);
  EXPECT_EQ(s.parallel.tp, 1);
  EXPECT_EQ(s.parallel.ep, 64);
  EXPECT_EQ(s.parallel.zero_stage, 1);
  EXPECT_EQ(s.parallel.micro_batch_size, 1);
  EXPECT_EQ(s.parallel.micro_batches, 120);
  EXPECT_EQ(s.parallel.schedule, ScheduleKind::kDualPipe);
  EXPECT_EQ(s.parallel.virtual_stages, 1);
  EXPECT_EQ(s.parallel.comm_sms, 20);
  // Training (TR 4.2, 4.3): 14.8T tokens of 4K sequences, batch ramp 3072 -> 15360 over 469B tokens.
  EXPECT_EQ(s.training.tokens, 14.8e12);
  EXPECT_EQ(s.training.seq_len, 4096);
  EXPECT_EQ(s.training.global_batch, 15360);
  EXPECT_EQ(s.training.ramp.start_sequences, 3072);
  EXPECT_EQ(s.training.ramp.ramp_tokens, 469e9);
  EXPECT_EQ(s.training.precision, "fp8");
  EXPECT_EQ(s.pricing.usd_per_gpu_hour, 2.0);
  EXPECT_EQ(s.calibration.profile, "");
}

TEST(LoadExample, SmallH100IsValid) {
  const Scenario s = load_scenario_file(source_path("scenarios/examples/small-h100.yaml"));
  EXPECT_EQ(s.cluster.gpu.name, "H100");
  EXPECT_EQ(s.cluster.total_gpus(), 16);
  EXPECT_EQ(s.model.layers, 16);
  EXPECT_EQ(s.model.moe.routed_experts, 64);
  EXPECT_EQ(s.model.hidden, 7168);  // kept from the preset
  EXPECT_EQ(s.parallel.schedule, ScheduleKind::k1F1B);
  EXPECT_EQ(s.parallel.pp, 2);
}

TEST(Overrides, ChangeParallelismGpuAndModel) {
  const std::vector<std::string> set = {"parallel.pp=8",    "parallel.dp=256", "parallel.micro_batches=60",
                                        "cluster.gpu=H100", "model.layers=30", " seed = 42 "};
  const Scenario s = load_scenario_text(default_yaml(), "default.yaml", set);
  EXPECT_EQ(s.parallel.pp, 8);
  EXPECT_EQ(s.parallel.dp, 256);
  EXPECT_EQ(s.parallel.micro_batches, 60);
  EXPECT_EQ(s.cluster.gpu.name, "H100");
  EXPECT_EQ(s.cluster.gpu.nvlink_per_direction, find_gpu("H100")->nvlink_per_direction);
  EXPECT_EQ(s.model.layers, 30);
  EXPECT_EQ(s.seed, 42u);
}

TEST(Overrides, FlowMappingMergesIntoTheSection) {
  const std::vector<std::string> set = {"model.attention={heads: 64}", "training.ramp={start_sequences: 0}"};
  const Scenario s = load_scenario_text(default_yaml(), "default.yaml", set);
  EXPECT_EQ(s.model.attention.heads, 64);
  EXPECT_EQ(s.model.attention.kv_lora_rank, 512);  // the preset's value survives the merge
  EXPECT_EQ(s.training.ramp.start_sequences, 0);
  EXPECT_EQ(s.training.ramp.ramp_tokens, 469e9);  // the file's value survives the merge
}

TEST(Overrides, CanAddAKeyTheFileLeftOut) {
  const Scenario s =
      load_scenario_text(default_yaml(), "default.yaml", std::vector<std::string>{"cluster.gpu_overrides.sms=114"});
  EXPECT_EQ(s.cluster.gpu.sms, 114);
  EXPECT_EQ(s.cluster.gpu.hbm, find_gpu("H800")->hbm);
}

TEST(Preset, FieldsOverrideAtTheSameLevel) {
  std::string text = default_yaml();
  text =
      test::replace_line(text, "preset: deepseek-v3",
                         "  preset: DeepSeek-V3\n  layers: 30\n  attention: {heads: 64}\n  moe: {routed_experts: 64}");
  const Scenario s = load_scenario_text(text, "x.yaml");
  const ModelSpec v3 = *find_model_preset("deepseek-v3");
  EXPECT_EQ(s.model.name, "deepseek-v3");
  EXPECT_EQ(s.model.layers, 30);
  EXPECT_EQ(s.model.attention.heads, 64);
  EXPECT_EQ(s.model.moe.routed_experts, 64);
  EXPECT_EQ(s.model.hidden, v3.hidden);
  EXPECT_EQ(s.model.moe.top_k, v3.moe.top_k);
  EXPECT_EQ(s.model.attention.q_lora_rank, v3.attention.q_lora_rank);
}

// A dense GQA model written out key by key (Llama-3.1-8B-like shapes) on one node with 1F1B.
constexpr const char* kSpelledOut = R"(schema: 1
cluster: {gpu: h200, nodes: 1, nics_per_node: 8}
model:
  layers: 32
  hidden: 4096
  vocab: 128256
  dense_intermediate: 14336
  attention: {kind: gqa, heads: 32, kv_heads: 8, head_dim: 128}
  tie_embeddings: false
parallel: {pp: 2, dp: 2, tp: 2, micro_batches: 8, schedule: 1f1b}
training: {tokens: 32K, global_batch: 16, precision: bf16}
)";

TEST(SpelledOutModel, LoadsWithoutAPreset) {
  const Scenario s = load_scenario_text(kSpelledOut, "dir/llama-like.yaml");
  EXPECT_EQ(s.name, "llama-like");  // the file name without .yaml
  EXPECT_EQ(s.model.name, "custom");
  EXPECT_EQ(s.model.layers, 32);
  EXPECT_EQ(s.model.attention.kind, AttentionKind::kGqa);
  EXPECT_EQ(s.model.attention.kv_heads, 8);
  EXPECT_FALSE(s.model.is_moe());
  EXPECT_EQ(s.cluster.gpu.name, "H200");  // catalog spelling, whatever the file's case
  EXPECT_EQ(s.training.tokens, 32000);
  EXPECT_EQ(s.training.precision, "bf16");
  EXPECT_EQ(s.parallel.ep, 1);
}

TEST(Sections, AnEmptySectionIsTheSameAsNone) {
  std::string text = test::replace_line(default_yaml(), "start_sequences: 3072", "");
  text = test::replace_line(text, "tokens: 469B", "");
  const Scenario s = load_scenario_text(text, "d.yaml");
  EXPECT_EQ(s.training.ramp.start_sequences, 0);
  EXPECT_EQ(s.training.ramp.ramp_tokens, 0);
}

TEST(Counts, AcceptSuffixesAndPlainNumbers) {
  for (const auto& [text, want] : std::vector<std::pair<std::string, double>>{
           {"14.8T", 14.8e12}, {"469B", 469e9}, {"32K", 32e3}, {"1.5M", 1.5e6}, {"2e12", 2e12}, {"123456", 123456}}) {
    const Scenario s = load_scenario_text(
        default_yaml(), "d.yaml",
        std::vector<std::string>{"training.tokens=" + text, "training.ramp={start_sequences: 0, tokens: 0}"});
    EXPECT_EQ(s.training.tokens, want) << text;
  }
}

TEST(Seed, TakesTheWholeUint64Range) {
  const Scenario s =
      load_scenario_text(default_yaml(), "d.yaml", std::vector<std::string>{"seed=18446744073709551615"});
  EXPECT_EQ(s.seed, std::numeric_limits<std::uint64_t>::max());
}

void expect_round_trip(const Scenario& s) {
  const std::string once = to_yaml(s);
  const Scenario again = load_scenario_text(once, "resolved.yaml");
  EXPECT_EQ(to_yaml(again), once);
  EXPECT_EQ(again.name, s.name);
  EXPECT_EQ(again.cluster.gpu.hbm, s.cluster.gpu.hbm);
  EXPECT_EQ(again.cluster.gpu.bf16_dense, s.cluster.gpu.bf16_dense);
  EXPECT_EQ(again.cluster.gpu.nvlink_per_direction, s.cluster.gpu.nvlink_per_direction);
  EXPECT_EQ(again.cluster.nic.line_rate, s.cluster.nic.line_rate);
  EXPECT_EQ(again.cluster.nic.latency_cross_leaf, s.cluster.nic.latency_cross_leaf);
  EXPECT_EQ(again.cluster.gpu.source, s.cluster.gpu.source);
  EXPECT_EQ(again.model.source, s.model.source);
  EXPECT_EQ(again.model.moe.first_dense_layers, s.model.moe.first_dense_layers);
  EXPECT_EQ(again.training.tokens, s.training.tokens);
  EXPECT_EQ(again.seed, s.seed);
}

TEST(ToYaml, RoundTripsTheShippedScenarios) {
  expect_round_trip(load_scenario_file(source_path("scenarios/default.yaml")));
  expect_round_trip(load_scenario_file(source_path("scenarios/examples/small-h100.yaml")));
  expect_round_trip(load_scenario_text(kSpelledOut, "x.yaml"));
}

TEST(ToYaml, RoundTripsOverriddenHardwareAndOddValues) {
  const std::vector<std::string> set = {
      "cluster.gpu_overrides={sms: 114, hbm_gb: 96.5, nvlink_achievable: 0.77, bf16_dense_tflops: 865.1}",
      "cluster.nic_overrides={line_rate_gbps: 800, latency_same_leaf_us: 2.345678}",
      "name='a \"quoted\" name'",
      "training.tokens=12345678901234",
      "pricing.usd_per_gpu_hour=1.23456789",
      "seed=18446744073709551615",
      "calibration.profile=h800-2025"};
  const Scenario s = load_scenario_text(default_yaml(), "d.yaml", set);
  EXPECT_EQ(s.name, "a \"quoted\" name");
  EXPECT_EQ(s.cluster.nic.latency_same_leaf, Time::ps(2'345'678));
  expect_round_trip(s);
}

TEST(ToYaml, WritesEveryKeyAndTheResolvedFigures) {
  const std::string y = to_yaml(load_scenario_file(source_path("scenarios/default.yaml")));
  EXPECT_NE(y.find("schema: 1\n"), std::string::npos);
  EXPECT_NE(y.find("  gpu: \"H800\"\n"), std::string::npos);
  EXPECT_NE(y.find("    sms: 132\n"), std::string::npos);
  EXPECT_NE(y.find("  tokens: 14.8T\n"), std::string::npos);
  EXPECT_NE(y.find("    tokens: 469B\n"), std::string::npos);
  EXPECT_NE(y.find("  schedule: \"dualpipe\"\n"), std::string::npos);
  EXPECT_EQ(y.find("preset"), std::string::npos);  // the model is written out in full
}

}  // namespace
}  // namespace deepsim
