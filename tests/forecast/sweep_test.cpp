// Sweep files (sweep.h): expansion counts and order for grid and zip, and clear errors for bad keys.
#include "sim/forecast/sweep.h"

#include <gtest/gtest.h>

#include <limits>

#include "sim/core/error.h"
#include "sim/scenario/scalar_codec.h"
#include "sim/scenario/schema.h"

namespace deepsim {
namespace {

const char* kSweep = R"(sweep: 1
name: demo
base: ../full-run/deepseek-v3.yaml
set: {training.tokens: 1T}
grid:
  parallel.ep: [32, 64]
  parallel.schedule: [dualpipe, 1f1b, zb1p]
zip:
  cluster.nodes: [256, 2048]
  parallel.dp: [128, 1024]
)";

InputError sweep_error(const std::string& text) {
  try {
    (void)parse_sweep(text, "sweeps/bad.yaml");
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an InputError";
  return InputError({}, "", "");
}

TEST(Sweep, GridTimesZipCountAndRowMajorOrder) {
  const Sweep sw = parse_sweep(kSweep, "scenarios/sweeps/demo.yaml");
  EXPECT_EQ(sw.name, "demo");
  EXPECT_EQ(sw.base, "scenarios/full-run/deepseek-v3.yaml");
  ASSERT_EQ(sw.axes.size(), 3u);   // ep, schedule, then the zip axis
  EXPECT_EQ(sw.size(), 2u * 3u * 2u);
  // The last axis (zip) moves fastest, the first grid key slowest.
  EXPECT_EQ(sw.overrides_at(0), (std::vector<std::string>{"training.tokens=1T", "parallel.ep=32",
                                                           "parallel.schedule=dualpipe", "cluster.nodes=256",
                                                           "parallel.dp=128"}));
  EXPECT_EQ(sw.label_at(1), "parallel.ep=32 parallel.schedule=dualpipe cluster.nodes=2048 parallel.dp=1024");
  EXPECT_EQ(sw.label_at(2), "parallel.ep=32 parallel.schedule=1f1b cluster.nodes=256 parallel.dp=128");
  EXPECT_EQ(sw.label_at(11), "parallel.ep=64 parallel.schedule=zb1p cluster.nodes=2048 parallel.dp=1024");
}

TEST(Sweep, NoAxesIsTheBaseOnce) {
  const Sweep sw = parse_sweep("sweep: 1\nbase: a.yaml\n", "b.yaml");
  EXPECT_EQ(sw.size(), 1u);
  EXPECT_EQ(sw.label_at(0), "base");
}

TEST(Sweep, DetectsSweepFiles) {
  EXPECT_TRUE(is_sweep_text(kSweep));
  EXPECT_FALSE(is_sweep_text("schema: 1\nname: x\n"));
}

TEST(Sweep, UnknownKeyHasFileLineAndDidYouMean) {
  const InputError e = sweep_error("sweep: 1\nbase: a.yaml\ngrid:\n  parallel.shedule: [1f1b, zb1p]\n");
  EXPECT_EQ(e.pos().file, "sweeps/bad.yaml");
  EXPECT_EQ(e.pos().line, 4);
  EXPECT_EQ(e.pos().column, 3);
  EXPECT_EQ(e.key(), "parallel.shedule");
  EXPECT_NE(e.hint().find("did you mean 'schedule'"), std::string::npos) << e.hint();
}

TEST(Sweep, UnknownSectionGetsItsOwnSuggestion) {
  const InputError e = sweep_error("sweep: 1\nbase: a.yaml\nzip:\n  paralel.pp: [1, 2]\n");
  EXPECT_EQ(e.pos().line, 4);
  EXPECT_NE(e.hint().find("did you mean 'parallel'"), std::string::npos) << e.hint();
}

TEST(Sweep, ValueOfTheWrongTypePointsAtTheValue) {
  const InputError e = sweep_error("sweep: 1\nbase: a.yaml\ngrid:\n  parallel.pp: [2, sixteen]\n");
  EXPECT_EQ(e.pos().line, 4);
  EXPECT_EQ(e.pos().column, 20);
  EXPECT_EQ(e.key(), "parallel.pp");
}

TEST(Sweep, ZipListsMustHaveEqualLengths) {
  const InputError e = sweep_error("sweep: 1\nbase: a.yaml\nzip:\n  cluster.nodes: [1, 2]\n  parallel.dp: [8]\n");
  EXPECT_EQ(e.pos().line, 5);
  EXPECT_NE(e.message().find("equal lengths"), std::string::npos);
}

TEST(Sweep, UnknownTopLevelKeyAndMissingBase) {
  const InputError e = sweep_error("sweep: 1\nbase: a.yaml\ngird: {}\n");
  EXPECT_EQ(e.pos().line, 3);
  EXPECT_NE(e.hint().find("did you mean 'grid'"), std::string::npos);
  EXPECT_EQ(sweep_error("sweep: 1\ngrid: {}\n").key(), "base");
}

// kind: says what a point runs; train when absent, and a misspelt kind is refused where it is written.
TEST(Sweep, KindIsTrainUnlessTheSweepSaysServe) {
  const Sweep plain = parse_sweep("sweep: 1\nbase: a.yaml\n", "b.yaml");
  EXPECT_EQ(plain.kind, "train");
  EXPECT_TRUE(plain.kind_pos.file.empty());
  const Sweep serve = parse_sweep("sweep: 1\nbase: a.yaml\nkind: serve\n", "b.yaml");
  EXPECT_EQ(serve.kind, "serve");
  EXPECT_EQ(serve.kind_pos.line, 3);
  const InputError e = sweep_error("sweep: 1\nbase: a.yaml\nkind: serv\n");
  EXPECT_EQ(e.key(), "kind");
  EXPECT_EQ(e.pos().line, 3);
  EXPECT_NE(e.hint().find("did you mean 'serve'"), std::string::npos) << e.hint();
}

// Issue 18: 64 two-valued keys made Sweep::size() wrap to 0 ("0 scenarios", exit 0), and 2^40 points
// were accepted and ran for ever. Past kMaxSweepPoints the sweep is refused at the key that crosses it.
namespace limits {

// A grid over the first `keys` schema fields that have two distinct valid values.
std::string grid_of(int keys) {
  std::string text = "sweep: 1\nbase: x.yaml\ngrid:\n";
  int n = 0;
  for (const Field& f : scenario_schema()) {
    if (n == keys) break;
    std::string a, b;
    if ((f.kind == FieldKind::kInt || f.kind == FieldKind::kReal) && f.min < f.max) {
      a = shortest(f.min);
      b = shortest(f.max);
    } else if (f.kind == FieldKind::kBool) {
      a = "true";
      b = "false";
    } else {
      continue;
    }
    text += "  " + std::string(f.path) + ": [" + a + ", " + b + "]\n";
    ++n;
  }
  EXPECT_EQ(n, keys) << "the schema has fewer than " << keys << " two-valued keys";
  return text;
}

TEST(SweepLimits, SixtyFourTwoValuedKeysAreRefusedNotWrappedToZero) {
  const InputError e = sweep_error(grid_of(64));
  EXPECT_NE(e.message().find("more than 1000000 points"), std::string::npos) << e.what();
  EXPECT_GT(e.pos().line, 3);  // at the key where the product crossed the limit
  EXPECT_NE(e.hint().find("split"), std::string::npos) << e.what();
  const InputError forty = sweep_error(grid_of(40));  // 2^40 points
  EXPECT_NE(forty.message().find("limit is 1000000"), std::string::npos) << forty.what();
}

TEST(SweepLimits, ExactlyTheLimitIsAccepted) {
  std::string text = "sweep: 1\nbase: x.yaml\ngrid:\n  parallel.micro_batches: [";
  for (int i = 1; i <= 1000; ++i) text += std::to_string(i) + (i < 1000 ? ", " : "]\n");
  text += "  training.seq_len: [";
  for (int i = 1; i <= 1000; ++i) text += std::to_string(i) + (i < 1000 ? ", " : "]\n");
  EXPECT_EQ(parse_sweep(text, "ok.yaml").size(), kMaxSweepPoints);
}

TEST(SweepLimits, SizeSaturatesInsteadOfWrapping) {
  Sweep sw;
  for (int i = 0; i < 64; ++i) sw.axes.push_back({{"k"}, {{"a"}, {"b"}}});
  EXPECT_EQ(sw.size(), std::numeric_limits<std::uint64_t>::max());
}

TEST(SweepLimits, BadValuesAreInputErrorsNotOtherExceptions) {
  EXPECT_EQ(sweep_error("sweep: 1\nname: [a, b]\nbase: x.yaml\n").key(), "name");
  EXPECT_EQ(sweep_error("sweep: 1\nbase: x.yaml\ngrid:\n  parallel.pp: [{a: 1}]\n").key(), "parallel.pp");
  EXPECT_EQ(sweep_error("sweep: 1\nbase: x.yaml\ngrid:\n  parallel.pp: 4\n").key(), "parallel.pp");
}

TEST(SweepLimits, AStrayCommaInASweepIsRefused) {
  EXPECT_NE(sweep_error(",").message().find("not valid YAML"), std::string::npos);
}

}  // namespace limits
}  // namespace
}  // namespace deepsim
