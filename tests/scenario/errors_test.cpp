// Bad inputs: each must raise an InputError naming the key path, the line (from the file, or the --set
// override), a message that explains itself and, where one helps, a hint. Most start from the shipped
// default scenario with one line changed, so each test breaks exactly one thing.
#include <gtest/gtest.h>

#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

using test::default_yaml;
using test::line_of;
using test::load_error;
using test::replace_line;

void expect_error(const InputError& e, const std::string& key, int line, const std::string& message,
                  const std::string& hint = {}) {
  EXPECT_EQ(e.key(), key) << e.what();
  EXPECT_EQ(e.pos().line, line) << e.what();
  EXPECT_NE(e.message().find(message), std::string::npos) << "message: " << e.message();
  if (!hint.empty()) {
    EXPECT_NE(e.hint().find(hint), std::string::npos) << "hint: " << e.hint();
  }
}

// The default scenario with the line holding `needle` replaced; the error must point at that line.
struct Edit {
  std::string text;
  int line;
};
Edit edit(const std::string& needle, const std::string& replacement) {
  const std::string base = default_yaml();
  return {replace_line(base, needle, replacement), line_of(base, needle)};
}

TEST(FileErrors, EmptyFile) {
  const InputError e = load_error("# only a comment\n");
  expect_error(e, "", 0, "the file is empty", "schema: 1");
  EXPECT_EQ(e.pos().file, "bad.yaml");
}

TEST(FileErrors, NotYamlAtAll) {
  expect_error(load_error("schema: 1\ncluster: [H800, {nodes: 2\n"), "", 3, "not valid YAML");
  const InputError e = load_error("schema: 1\n  bad indent: x\n");
  EXPECT_EQ(e.pos().line, 2);
  EXPECT_NE(e.message().find("not valid YAML"), std::string::npos);
}

TEST(FileErrors, PlainTextIsNotAScenario) {
  expect_error(load_error("just some words\n"), "", 1, "expected a mapping of sections", "schema: 1");
  expect_error(load_error("- a\n- b\n"), "", 1, "expected a mapping of sections");
}

TEST(FileErrors, MissingFile) {
  try {
    (void)load_scenario_file("/nonexistent/deepsim/scenario.yaml");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.pos().file, "/nonexistent/deepsim/scenario.yaml");
    EXPECT_NE(e.message().find("no such file"), std::string::npos);
    EXPECT_NE(e.hint().find("scenarios/"), std::string::npos);
  }
}

TEST(FileErrors, SeveralDocuments) {
  expect_error(load_error(default_yaml() + "---\nschema: 1\n"), "", line_of(default_yaml() + "---\n", "---") + 1,
               "2 YAML documents");
}

TEST(SchemaVersion, OtherVersionsAreRejected) {
  const Edit x = edit("schema: 1", "schema: 2");
  expect_error(load_error(x.text), "schema", x.line, "schema '2' is not supported", "reads schema 1");
}

TEST(SchemaVersion, MissingVersion) {
  const Edit x = edit("schema: 1", "");
  expect_error(load_error(x.text), "schema", 0, "missing the schema version", "schema: 1");
}

TEST(UnknownKeys, TopLevelTypoSuggestsTheSection) {
  const Edit x = edit("parallel:", "paralel:");
  expect_error(load_error(x.text), "paralel", x.line, "unknown key 'paralel'", "did you mean 'parallel'?");
}

TEST(UnknownKeys, TypoFileFromTheCliTests) {
  const std::string path = test::source_path("tests/scenario/data/typo.yaml");
  try {
    (void)load_scenario_file(path);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    expect_error(e, "parallel.micro_batchs", line_of(test::read_text(path), "  micro_batchs:"),
                 "unknown key 'micro_batchs' in 'parallel'", "did you mean 'micro_batches'?");
    EXPECT_EQ(e.pos().file, path);
    EXPECT_EQ(e.pos().column, 3);
  }
}

TEST(UnknownKeys, NothingCloseListsTheAllowedKeys) {
  const Edit x = edit("  tp: 1", "  flux_capacitor: 1");
  expect_error(load_error(x.text), "parallel.flux_capacitor", x.line, "unknown key", "expected one of: pp, dp, tp, cp, ep");
}

TEST(UnknownKeys, RepeatedKey) {
  const Edit x = edit("  tp: 1", "  tp: 1\n  pp: 16");
  expect_error(load_error(x.text), "parallel.pp", x.line + 1, "appears twice");
}

TEST(UnknownKeys, SectionGivenAValue) {
  const std::string text = replace_line(replace_line(default_yaml(), "  kind: mpft", ""), "switch_radix: 64", "");
  const std::string t2 = replace_line(replace_line(text, "oversubscription: 1.0", ""), "planes: 8  ", "");
  const std::string bad = replace_line(t2, "  topology:", "  topology: mpft");
  expect_error(load_error(bad), "cluster.topology", line_of(bad, "topology: mpft"), "expected a section",
               "kind, switch_radix");
}

TEST(Types, WordWhereANumberBelongs) {
  const Edit x = edit("  pp: 16", "  pp: sixteen");
  const InputError e = load_error(x.text);
  expect_error(e, "parallel.pp", x.line, "expected a positive integer, got 'sixteen'");
  EXPECT_EQ(e.pos().column, 7);  // the value, not the key
}

TEST(Types, FractionWhereAnIntegerBelongs) {
  const Edit x = edit("  seq_len: 4096", "  seq_len: 4096.5");
  expect_error(load_error(x.text), "training.seq_len", x.line, "expected a positive integer, got '4096.5'");
}

TEST(Types, BadTokenSuffixAndNotANumber) {
  const Edit x = edit("  tokens: 14.8T", "  tokens: 14.8X");
  expect_error(load_error(x.text), "training.tokens", x.line, "expected a count", "powers of 1000");
  const Edit y = edit("usd_per_gpu_hour", "  usd_per_gpu_hour: nan");
  expect_error(load_error(y.text), "pricing.usd_per_gpu_hour", y.line, "expected a non-negative number, got 'nan'");
}

TEST(Types, ListWhereAValueBelongs) {
  const Edit x = edit("  nodes: 256", "  nodes: [128, 128]");
  expect_error(load_error(x.text), "cluster.nodes", x.line, "got a list");
}

TEST(Types, BoolMustBeTrueOrFalse) {
  const InputError e = load_error(default_yaml(), {"model.tie_embeddings=maybe"});
  EXPECT_EQ(e.key(), "model.tie_embeddings");
  EXPECT_EQ(e.pos().file, "--set model.tie_embeddings=maybe");
  EXPECT_NE(e.message().find("expected true or false, got 'maybe'"), std::string::npos);
}

TEST(Ranges, ZeroAndNegativeSizes) {
  const Edit x = edit("  nodes: 256", "  nodes: 0");
  expect_error(load_error(x.text), "cluster.nodes", x.line, "must be at least 1, got 0", "allowed range: 1 to");
  const Edit y = edit("  tp: 1", "  tp: -2");
  expect_error(load_error(y.text), "parallel.tp", y.line, "must be at least 1, got -2");
}

TEST(Ranges, AbsurdAndOverflowingValues) {
  const Edit x = edit("  nodes: 256", "  nodes: 1e30");
  expect_error(load_error(x.text), "cluster.nodes", x.line, "must be at most 1048576, got 1e30");
  const Edit y = edit("  dp: 128", "  dp: 99999999999999999999");
  expect_error(load_error(y.text), "parallel.dp", y.line, "must be at most");
  const Edit z = edit("  zero_stage: 1", "  zero_stage: 3");
  expect_error(load_error(z.text), "parallel.zero_stage", z.line, "must be at most 2, got 3");
}

TEST(Catalog, UnknownGpuNicPresetAndSchedule) {
  const Edit gpu = edit("  gpu: H800", "  gpu: H900");
  expect_error(load_error(gpu.text), "cluster.gpu", gpu.line, "unknown value 'H900'", "did you mean 'H800'?");
  const Edit nic = edit("  nic: cx7-ib-400g", "  nic: connectx9");
  expect_error(load_error(nic.text), "cluster.nic", nic.line, "unknown value", "cx7-ib-400g, cx7-roce-400g");
  const Edit preset = edit("  preset: deepseek-v3", "  preset: deepseek-v4");
  expect_error(load_error(preset.text), "model.preset", preset.line, "unknown value", "did you mean 'deepseek-v3'?");
  const Edit sched = edit("  schedule: dualpipe", "  schedule: dualpip");
  expect_error(load_error(sched.text), "parallel.schedule", sched.line, "unknown value 'dualpip'",
               "did you mean 'dualpipe'?");
}

TEST(Required, SpelledOutModelNamesTheMissingField) {
  const std::string text = replace_line(default_yaml(), "  preset: deepseek-v3",
                                        "  layers: 61\n  vocab: 129280\n  attention: {kind: mla, heads: 128}");
  expect_error(load_error(text), "model.hidden", line_of(text, "model:"), "missing required key 'hidden' in 'model'",
               "model.preset");
}

TEST(Required, ClusterWithoutNodes) {
  const Edit x = edit("  nodes: 256", "");
  expect_error(load_error(x.text), "cluster.nodes", line_of(x.text, "cluster:"), "missing required key 'nodes'");
}

}  // namespace
}  // namespace deepsim
