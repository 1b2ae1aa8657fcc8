// Cross-field errors (found after the whole file is read, blamed on the key most at fault) and errors in
// --set overrides (reported as "--set key=value" instead of a file position).
#include <gtest/gtest.h>

#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

using test::default_yaml;
using test::line_of;
using test::load_error;

// Loads the default scenario with `overrides` on top. The error must name `key`, and point at the line
// holding `line_needle` in the file, or, when that is empty, at the --set override that set the key.
void expect_blame(const std::vector<std::string>& overrides, const std::string& key, const std::string& line_needle,
                  const std::string& message, const std::string& hint = {}) {
  const std::string text = default_yaml();
  const InputError e = load_error(text, overrides);
  EXPECT_EQ(e.key(), key) << e.what();
  EXPECT_NE(e.message().find(message), std::string::npos) << e.what();
  if (!hint.empty()) {
    EXPECT_NE(e.hint().find(hint), std::string::npos) << e.what();
  }
  if (line_needle.empty()) {
    EXPECT_EQ(e.pos().line, 0) << e.what();
    EXPECT_EQ(e.pos().file.rfind("--set " + key + "=", 0), 0u) << e.what();
  } else {
    EXPECT_EQ(e.pos().line, line_of(text, line_needle)) << e.what();
    EXPECT_EQ(e.pos().file, "bad.yaml");
  }
}

TEST(CrossField, GpuCountMustMatchTheCluster) {
  expect_blame({"parallel.pp=15", "parallel.dp=136"}, "parallel.dp", "",
               "pp x dp x tp = 2040 but the cluster has 2048 GPUs (256 nodes x 8)", "pp x tp = 15 does not divide");
  // Only pp is overridden here, so the blame falls on dp's line in the file.
  expect_blame({"parallel.pp=8"}, "parallel.dp", "  dp: 128", "pp x dp x tp = 1024 but the cluster has 2048 GPUs",
               "dp = 2048 / (pp x tp) = 256 uses every GPU");
}

TEST(CrossField, ExpertParallelism) {
  expect_blame({"parallel.ep=48"}, "parallel.ep", "", "ep = 48 does not divide dp x tp = 128",
               "choose a divisor of 128");
  expect_blame({"model.moe.routed_experts=96"}, "parallel.ep", "  ep: 64",
               "model.moe.routed_experts = 96 is not a multiple of ep = 64");
  expect_blame({"model.moe.routed_experts=0"}, "parallel.ep", "  ep: 64", "the model is dense", "parallel.ep: 1");
}

TEST(CrossField, BatchArithmetic) {
  expect_blame({"parallel.micro_batches=122"}, "parallel.micro_batches", "",
               "1 x 122 x 128 = 15616 but training.global_batch = 15360",
               "micro_batches = 15360 / (micro_batch_size x dp) = 120");
  expect_blame({"training.global_batch=15000"}, "parallel.micro_batches", "  micro_batches: 120",
               "but training.global_batch = 15000", "multiple of micro_batch_size x dp = 128");
}

TEST(CrossField, DualPipeNeedsEvenCounts) {
  expect_blame({"parallel.micro_batches=121"}, "parallel.micro_batches", "",
               "dualpipe needs an even number of micro-batches");
  expect_blame({"parallel.pp=1", "parallel.dp=2048"}, "parallel.pp", "", "dualpipe needs an even pp");
  expect_blame({"parallel.schedule=dualpipev", "parallel.micro_batches=121"}, "parallel.micro_batches", "",
               "dualpipev needs an even number");
}

TEST(CrossField, InterleavedNeedsVirtualStagesAndWholeRounds) {
  expect_blame({"parallel.schedule=interleaved-1f1b"}, "parallel.virtual_stages", "  virtual_stages: 1",
               "needs virtual_stages >= 2", "plain 1f1b");
  expect_blame({"parallel.schedule=interleaved-1f1b", "parallel.virtual_stages=2"}, "parallel.micro_batches",
               "  micro_batches: 120", "multiple of pp = 16, got 120");
  expect_blame({"parallel.virtual_stages=2"}, "parallel.virtual_stages", "", "applies only to interleaved-1f1b");
}

TEST(CrossField, LayersMustFillThePipeline) {
  expect_blame({"model.layers=8"}, "parallel.pp", "  pp: 16", "model.layers = 8 cannot fill pp x virtual_stages = 16");
}

TEST(CrossField, HeadsSplitByTensorParallelism) {
  expect_blame({"model.attention.heads=100", "parallel.tp=8", "parallel.dp=16"}, "parallel.tp", "",
               "model.attention.heads = 100 is not a multiple of tp = 8");
}

TEST(CrossField, CommunicationSmsLeaveRoomForCompute) {
  expect_blame({"parallel.comm_sms=132"}, "parallel.comm_sms", "", "leaves no SMs for compute: the H800 has 132");
}

TEST(CrossField, NicsAndPlanes) {
  expect_blame({"cluster.topology.planes=4"}, "cluster.topology.planes", "", "planes must equal nics_per_node = 8",
               "planes: 8");
  expect_blame({"cluster.nics_per_node=3"}, "cluster.nics_per_node", "",
               "gpus_per_node = 8 is not a multiple of nics_per_node = 3");
  expect_blame({"cluster.nodes=5000"}, "cluster.nodes", "", "5000 NIC ports per plane exceed the 2048",
               "topology.kind ft3");
}

TEST(CrossField, RampAndMoeShape) {
  expect_blame({"training.ramp.start_sequences=20000"}, "training.ramp.start_sequences", "",
               "above global_batch = 15360");
  expect_blame({"model.moe.top_k=300"}, "model.moe.top_k", "", "top_k = 300 exceeds routed_experts = 256");
  expect_blame({"model.moe.limited_groups=9"}, "model.moe.limited_groups", "", "exceeds expert_groups = 8");
  expect_blame({"model.moe.expert_groups=7"}, "model.moe.expert_groups", "", "do not split into 7 equal groups");
  // head_dim is neither in the file nor overridden: blamed on the nearest section the file has, model.
  expect_blame({"parallel.schedule=1f1b", "model.attention.kind=gqa"}, "model.attention.head_dim",
               "model:", "head_dim must be positive for attention.kind gqa");
}

TEST(CrossField, BlameFallsOnTheFileLineWhenNotOverridden) {
  std::string text = test::replace_line(default_yaml(), "  micro_batches: 120", "  micro_batches: 122");
  const InputError e = load_error(text);
  EXPECT_EQ(e.key(), "parallel.micro_batches");
  EXPECT_EQ(e.pos().line, line_of(text, "micro_batches: 122"));
  EXPECT_EQ(e.pos().column, 3);
}

TEST(OverrideErrors, NameTheOverrideInsteadOfAPosition) {
  const InputError e = load_error(default_yaml(), {"parallel.pp=sixteen"});
  EXPECT_EQ(e.pos().file, "--set parallel.pp=sixteen");
  EXPECT_EQ(e.pos().line, 0);
  EXPECT_EQ(e.key(), "parallel.pp");
  EXPECT_NE(e.message().find("expected a positive integer, got 'sixteen'"), std::string::npos);
  EXPECT_EQ(std::string(e.what()).rfind("--set parallel.pp=sixteen: parallel.pp: expected", 0), 0u) << e.what();
}

TEST(OverrideErrors, UnknownPathsSuggest) {
  const InputError top = load_error(default_yaml(), {"paralel.pp=8"});
  EXPECT_EQ(top.key(), "paralel");
  EXPECT_EQ(top.pos().file, "--set paralel.pp=8");
  EXPECT_EQ(top.hint(), "did you mean 'parallel'?");
  const InputError deep = load_error(default_yaml(), {"parallel.micro_batchs=4"});
  EXPECT_EQ(deep.key(), "parallel.micro_batchs");
  EXPECT_EQ(deep.hint(), "did you mean 'micro_batches'?");
  const InputError leaf = load_error(default_yaml(), {"parallel.pp.x=4"});
  EXPECT_NE(leaf.message().find("is a value, not a section"), std::string::npos);
  const InputError inner = load_error(default_yaml(), {"model.attention={hedas: 64}"});
  EXPECT_EQ(inner.key(), "model.attention.hedas");
  EXPECT_EQ(inner.pos().file, "--set model.attention={hedas: 64}");
  EXPECT_EQ(inner.hint(), "did you mean 'heads'?");
}

TEST(OverrideErrors, MalformedOverrides) {
  const InputError no_eq = load_error(default_yaml(), {"parallel.pp"});
  EXPECT_NE(no_eq.message().find("key.path=value"), std::string::npos);
  const InputError bad_yaml = load_error(default_yaml(), {"name=[unclosed"});
  EXPECT_EQ(bad_yaml.key(), "name");
  EXPECT_NE(bad_yaml.message().find("is not YAML"), std::string::npos);
  const InputError empty = load_error(default_yaml(), {"parallel.pp="});
  EXPECT_NE(empty.message().find("got nothing"), std::string::npos);
}

}  // namespace
}  // namespace deepsim
