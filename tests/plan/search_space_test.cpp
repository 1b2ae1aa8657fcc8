// SearchSpace: the default table, --vary, enumeration order and the derived dp / micro-batch count.
#include "sim/plan/search_space.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/scenario/loader.h"
#include "tests/forecast/forecast_test_support.h"

namespace deepsim {
namespace {

TEST(SearchSpace, VaryReplacesOneDimensionAndTheSizeIsTheProduct) {
  const Scenario base = test::small_run();
  SearchSpace space(base);
  const std::uint64_t before = space.size();
  space.vary("parallel.pp=1,2,4");
  const auto& dims = space.dimensions();
  const auto pp = std::ranges::find_if(dims, [](const PlanDimension& d) { return d.name == "pp"; });
  ASSERT_NE(pp, dims.end());
  EXPECT_EQ(pp->values, (std::vector<int>{1, 2, 4}));
  std::uint64_t product = 1;
  for (const auto& d : dims) product *= d.values.size();
  EXPECT_EQ(space.size(), product);
  EXPECT_NE(space.size(), before);
}

TEST(SearchSpace, PlansEnumerateWithTheLastDimensionFastest) {
  SearchSpace space(test::small_run());
  space.vary("parallel.pp=1,2");
  space.vary("parallel.comm_sms=16,24");
  const auto first = space.plan_at(0), second = space.plan_at(1);
  EXPECT_EQ(first.back(), 16);
  EXPECT_EQ(second.back(), 24);
  EXPECT_EQ(space.plan_at(space.size() - 1).back(), 24);
}

TEST(SearchSpace, ApplyDerivesDpAndMicroBatchesFromTheGlobalBatch) {
  const Scenario base = test::small_run();  // 16 GPUs, global batch 64
  SearchSpace space(base);
  space.vary("cluster.nodes=2");
  space.vary("parallel.pp=4");
  space.vary("parallel.ep=4");
  space.vary("parallel.schedule=1f1b");
  space.vary("parallel.micro_batch_size=2");
  const Scenario s = space.apply(base, space.plan_at(0));
  EXPECT_EQ(s.parallel.pp, 4);
  EXPECT_EQ(s.parallel.dp, 4);             // 16 / (pp 4 x tp 1)
  EXPECT_EQ(s.parallel.micro_batches, 8);  // 64 / (dp 4 x micro_batch_size 2)
  EXPECT_EQ(s.training.global_batch, 64);
}

TEST(SearchSpace, APlanThatCannotBeLaidOutThrowsAnInputError) {
  const Scenario base = test::small_run();
  SearchSpace space(base);
  space.vary("cluster.nodes=2");
  space.vary("parallel.pp=4");
  space.vary("parallel.ep=16");  // ep 16 does not divide dp x tp = 4
  EXPECT_THROW((void)space.apply(base, space.plan_at(0)), InputError);
}

TEST(SearchSpace, BadVaryNamesTheOptionWithAHint) {
  SearchSpace space(test::small_run());
  try {
    space.vary("parallel.ppp=2");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "--vary");
    EXPECT_NE(e.hint().find("parallel.pp"), std::string::npos) << e.hint();
  }
  EXPECT_THROW(space.vary("parallel.schedule=dualpipe,onef1b"), InputError);
  EXPECT_THROW(space.vary("parallel.pp=two"), InputError);
  EXPECT_THROW(space.vary("parallel.pp"), InputError);
}

const PlanDimension& dim(const SearchSpace& space, const std::string& name) {
  const auto& dims = space.dimensions();
  const auto it = std::ranges::find_if(dims, [&](const PlanDimension& d) { return d.name == name; });
  EXPECT_NE(it, dims.end()) << name;
  return *it;
}

TEST(SearchSpace, DenseModelsSearchTpUpToTheNodeAndSequenceParallelism) {
  // GPT-22B (64 heads) on DGX A100 (8 GPUs a node): tp 1, 2, 4, 8; sequence parallelism off and on.
  const Scenario base = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/22b-full.yaml");
  const SearchSpace space(base);
  EXPECT_EQ(dim(space, "tp").values, (std::vector<int>{1, 2, 4, 8}));
  EXPECT_EQ(dim(space, "sequence_parallel").values, (std::vector<int>{0, 1}));
  std::vector<int> plan = space.plan_at(0);
  const auto& dims = space.dimensions();
  for (std::size_t k = 0; k < dims.size(); ++k) {
    if (dims[k].name == "tp") plan[k] = 4;
    if (dims[k].name == "sequence_parallel") plan[k] = 1;
  }
  const Scenario s = space.apply(base, plan);
  EXPECT_EQ(s.parallel.tp, 4);
  EXPECT_TRUE(s.parallel.sequence_parallel);
  EXPECT_EQ(s.parallel.dp, 8 / (4 * s.parallel.pp));
}

TEST(SearchSpace, MoeModelsKeepTheScenariosTpUnlessVaried) {
  // Each TP rank of an MoE layer would dispatch the whole micro-batch (no token split over TP).
  SearchSpace space(test::small_run());
  EXPECT_EQ(dim(space, "tp").values, (std::vector<int>{1}));
  EXPECT_EQ(dim(space, "sequence_parallel").values.size(), 1U);
  space.vary("parallel.tp=1,2");
  space.vary("parallel.sequence_parallel=off,on");
  EXPECT_EQ(dim(space, "tp").values, (std::vector<int>{1, 2}));
  EXPECT_EQ(dim(space, "sequence_parallel").values, (std::vector<int>{0, 1}));
  EXPECT_THROW(space.vary("parallel.sequence_parallel=maybe"), InputError);
}

}  // namespace
}  // namespace deepsim
