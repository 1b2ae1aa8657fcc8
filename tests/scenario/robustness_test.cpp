// Inputs that once hung, crashed or misled (issue 18), each reproduced: a stray ',' that made yaml-cpp's
// LoadAll loop forever, files that are not regular or are too large, text that is not UTF-8, lines of
// empty values, a quote left open on the last line, and plans whose tp splits do not divide.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/scenario/yaml_document.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

namespace fs = std::filesystem;
using test::default_yaml;
using test::line_of;
using test::load_error;
using test::replace_line;

// yaml-cpp 0.7.0's LoadAll never returned on these (jbeder/yaml-cpp#1040): memory grew without bound.
// Each must now be refused at once, at the comma.
TEST(StrayComma, RefusedAtTheCommaInsteadOfLoopingForever) {
  struct Case {
    std::string text;
    int line;
  };
  for (const Case& c : {Case{",", 1}, Case{"\n,", 2}, Case{",,", 1}, Case{"[1],", 1}, Case{"- a\n,", 2},
                        Case{"\"x\",", 1}, Case{"schema: 1\n---\n,", 3}}) {
    const InputError e = load_error(c.text);
    EXPECT_EQ(e.pos().line, c.line) << e.what();
    EXPECT_NE(e.message().find("not valid YAML"), std::string::npos) << e.what();
  }
}

TEST(StrayComma, TwoDocumentsAreStillNamedAsSuch) {
  const InputError e = load_error(default_yaml() + "---\nschema: 1\n");
  EXPECT_NE(e.message().find("2 YAML documents"), std::string::npos) << e.what();
}

struct TempDir : ::testing::Test {
  fs::path dir = fs::temp_directory_path() /
                 ("deepsim_robustness_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
};

using InputFiles = TempDir;

TEST_F(InputFiles, AFifoIsRefusedWithoutOpeningIt) {
  const fs::path fifo = dir / "pipe.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  try {
    (void)load_scenario_file(fifo.string());  // opening it would block forever: no writer
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("not a regular file"), std::string::npos) << e.what();
  }
}

TEST_F(InputFiles, AFileOverTheLimitIsRefusedNamingTheLimit) {
  const fs::path big = dir / "big.yaml";
  {
    std::ofstream out(big, std::ios::binary);
    const std::string line = "# padding padding padding padding padding padding padding padding\n";
    for (std::size_t n = 0; n <= kMaxYamlFileBytes / line.size(); ++n) out << line;
  }
  try {
    (void)load_scenario_file(big.string());
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("over the limit of 4 MiB"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)load_scenario_text(std::string(kMaxYamlFileBytes + 1, '#'), "big.yaml"), InputError);
}

TEST(Utf8, ANameThatIsNotUtf8IsRefused) {
  // "run\xff" once passed validate and failed later in the JSON writer (exit 1).
  const std::string base = default_yaml();
  const int line = line_of(base, "name: deepseek");
  for (const std::string bad : {"name: \"run\xff\"", "name: \"caf\xc3\"", "name: \"\xed\xa0\x80\"", "name: \"\xc0\xaf\""}) {
    const InputError e = load_error(replace_line(base, "name: deepseek", bad));
    EXPECT_EQ(e.key(), "name") << e.what();
    EXPECT_EQ(e.pos().line, line) << e.what();
    EXPECT_NE(e.message().find("UTF-8"), std::string::npos) << e.what();
  }
  const std::string ok = "name: \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\"";
  EXPECT_EQ(load_scenario_text(replace_line(base, "name: deepseek", ok), "ok.yaml").name,
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80");
}

TEST(EmptyValues, ErrorPointsAtTheKeysOwnLine) {
  // yaml-cpp marks an empty value at the next token, here the next line's key.
  const std::string base = default_yaml();
  const std::string text = replace_line(base, "  nodes:", "  nodes:");
  const int line = line_of(base, "  nodes:");
  const InputError e = load_error(text);
  EXPECT_EQ(e.key(), "cluster.nodes") << e.what();
  EXPECT_EQ(e.pos().line, line) << e.what();
}

TEST(UnterminatedQuote, OnTheLastLineIsAQuoteError) {
  // yaml-cpp reads `name: "abc\n` at the end of a file as "abc "; the error used to be about another key.
  const std::string base = replace_line(default_yaml(), "name: deepseek", "");
  for (const std::string q : {"\"", "'"}) {
    const std::string text = base + "name: " + q + "my run\n";
    const InputError e = load_error(text);
    EXPECT_NE(e.message().find("never closed"), std::string::npos) << e.what();
    EXPECT_EQ(e.pos().line, line_of(text, "name: " + q + "my run")) << e.what();
  }
  // Closed quotes with escapes inside are fine.
  EXPECT_EQ(load_scenario_text(base + "name: \"a \\\" b\"\n", "ok.yaml").name, "a \" b");
  EXPECT_EQ(load_scenario_text(base + "name: 'it''s'\n", "ok.yaml").name, "it's");
}

TEST(TensorParallelSplits, DenseIntermediateNotDivisibleByTpIsAnInputError) {
  // Was "internal error at layer_ops.cpp" from the op builder.
  const InputError e = load_error(default_yaml(), {"model.dense_intermediate=18433", "parallel.tp=2",
                                                   "parallel.dp=64"});
  EXPECT_EQ(e.key(), "model.dense_intermediate") << e.what();
  EXPECT_NE(e.message().find("not a multiple of parallel.tp = 2"), std::string::npos) << e.what();
  EXPECT_NE(e.pos().file.find("--set model.dense_intermediate"), std::string::npos) << e.what();
}

TEST(Limits, GpusAndPipelineInstructionsAreRefusedNamingTheLimit) {
  const InputError gpus = load_error(default_yaml(), {"cluster.nodes=1000000"});
  EXPECT_EQ(gpus.key(), "cluster.nodes") << gpus.what();
  EXPECT_NE(gpus.message().find("over the limit of 131072"), std::string::npos) << gpus.what();
  const InputError mb = load_error(default_yaml(), {"parallel.micro_batches=1000000", "training.global_batch=64000000"});
  EXPECT_EQ(mb.key(), "parallel.micro_batches") << mb.what();
  EXPECT_NE(mb.message().find("over the limit of 262144"), std::string::npos) << mb.what();
}

}  // namespace
}  // namespace deepsim
