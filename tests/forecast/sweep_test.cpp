// Sweep files (sweep.h): expansion counts and order for grid and zip, and clear errors for bad keys.
#include "sim/forecast/sweep.h"

#include <gtest/gtest.h>

#include "sim/core/error.h"

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

}  // namespace
}  // namespace deepsim
