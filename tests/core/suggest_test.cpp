#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/core/suggest.h"

namespace deepsim {
namespace {

TEST(EditDistance, CountsInsertDeleteSubstituteAndSwap) {
  EXPECT_EQ(edit_distance("parallel", "parallel"), 0);
  EXPECT_EQ(edit_distance("paralel", "parallel"), 1);    // one insertion
  EXPECT_EQ(edit_distance("micro_batchs", "micro_batches"), 1);
  EXPECT_EQ(edit_distance("pp", "dp"), 1);               // one substitution
  EXPECT_EQ(edit_distance("nodse", "nodes"), 1);         // one adjacent swap
  EXPECT_EQ(edit_distance("", "abc"), 3);
}

TEST(ClosestMatch, SuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys = {"cluster", "model", "parallel", "training", "pricing"};
  EXPECT_EQ(closest_match("paralel", keys), "parallel");
  EXPECT_EQ(closest_match("Cluster", keys), "cluster");
  EXPECT_EQ(closest_match("zzz", keys), "");
  EXPECT_EQ(suggestion_hint("modle", keys), "did you mean 'model'?");
  EXPECT_EQ(suggestion_hint("xyzzy", keys), "expected one of: cluster, model, parallel, training, pricing");
}

}  // namespace
}  // namespace deepsim
