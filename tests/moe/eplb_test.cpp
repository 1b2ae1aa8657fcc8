#include "sim/moe/eplb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/core/rng.h"
#include "sim/moe/routed_batch.h"
#include "tests/moe/moe_test_shapes.h"

namespace deepsim {
namespace {

using moe_test::kEp64;

// Zipf(1) loads over 256 experts in a shuffled order, as a skewed layer would show them.
std::vector<double> zipf_loads(std::uint64_t seed) {
  std::vector<double> w(256);
  for (int r = 0; r < 256; ++r) w[static_cast<std::size_t>(r)] = 1000.0 / (r + 1);
  Rng rng(seed);
  for (std::size_t i = w.size() - 1; i > 0; --i) std::swap(w[i], w[rng.below(i + 1)]);
  return w;
}

void expect_valid(const ExpertPlacement& p, int slots) {
  ASSERT_EQ(p.slots(), slots);  // never more (or fewer) slots than configured
  EXPECT_EQ(p.slots_per_gpu * p.layout.gpus, slots);
  for (const auto& r : p.replicas) EXPECT_GE(r.size(), 1u);  // every logical expert keeps a replica
  for (int g = 0; g < p.layout.gpus; ++g)  // no GPU holds two replicas of one expert
    for (int i = 0; i < p.slots_per_gpu; ++i)
      for (int j = i + 1; j < p.slots_per_gpu; ++j)
        EXPECT_NE(p.slot_expert[static_cast<std::size_t>(g * p.slots_per_gpu + i)],
                  p.slot_expert[static_cast<std::size_t>(g * p.slots_per_gpu + j)]);
}

TEST(Eplb, ContiguousPutsFourExpertsOnEachGpuOfEp64) {
  const auto p = ExpertPlacement::contiguous(256, kEp64);
  EXPECT_EQ(p.slots_per_gpu, 4);
  EXPECT_EQ(p.gpu_of_slot(p.replicas[255][0]), 63);
  EXPECT_EQ(p.layout.node_of(p.gpu_of_slot(p.replicas[32][0])), 1);  // group 1 = node 1
}

// 64 redundant slots on EP64: 320 slots, 5 a GPU. Both policies must beat the contiguous placement's
// per-GPU max/mean on Zipf loads, and the global one (free to replicate anywhere) at least as well as
// hierarchical, which keeps each group on one node.
TEST(Eplb, BothPoliciesRespectSlotsAndImproveTheHottestGpu) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto w = zipf_loads(seed);
    const auto contiguous = imbalance(ExpertPlacement::contiguous(256, kEp64).gpu_load(w)).ratio();
    const auto hier = eplb_hierarchical(w, 8, 64, kEp64);
    const auto global = eplb_global(w, 64, kEp64);
    expect_valid(hier, 320);
    expect_valid(global, 320);
    const double rh = imbalance(hier.gpu_load(w)).ratio(), rg = imbalance(global.gpu_load(w)).ratio();
    EXPECT_LT(rh, contiguous * 0.8) << "seed " << seed;
    EXPECT_LT(rg, contiguous * 0.8) << "seed " << seed;
    EXPECT_LE(rg, rh + 1e-9) << "seed " << seed;
    // Hierarchical keeps every group's experts, replicas included, on one node.
    for (int e = 0; e < 256; ++e) {
      const int node = kEp64.node_of(hier.gpu_of_slot(hier.replicas[static_cast<std::size_t>(e)][0]));
      for (int s : hier.replicas[static_cast<std::size_t>(e)]) EXPECT_EQ(kEp64.node_of(hier.gpu_of_slot(s)), node);
      for (int f = (e / 32) * 32; f < (e / 32 + 1) * 32; ++f)
        EXPECT_EQ(kEp64.node_of(hier.gpu_of_slot(hier.replicas[static_cast<std::size_t>(f)][0])), node);
    }
  }
}

// Replicas go greedily to the largest load per replica, ties to the lower index: loads {8, 4, 1}, 5
// slots. Slot 4: per-replica loads {8, 4, 1} -> expert 0. Slot 5: {4, 4, 1}, a tie -> expert 0 again,
// leaving {8/3, 4, 1}.
TEST(Eplb, ReplicaCountsByHand) {
  const std::vector<double> w{8, 4, 1};
  EXPECT_EQ(eplb_replica_counts(w, 5), (std::vector<int>{3, 1, 1}));
  EXPECT_EQ(eplb_replica_counts(w, 6), (std::vector<int>{3, 2, 1}));
  EXPECT_EQ(eplb_replica_counts(w, 3), (std::vector<int>{1, 1, 1}));
}

// With no skew there is nothing to fix: uniform loads stay perfectly balanced under both policies.
TEST(Eplb, UniformLoadsStayBalanced) {
  const std::vector<double> w(256, 1.0);
  EXPECT_DOUBLE_EQ(imbalance(eplb_global(w, 0, kEp64).gpu_load(w)).ratio(), 1.0);
  EXPECT_DOUBLE_EQ(imbalance(eplb_hierarchical(w, 8, 0, kEp64).gpu_load(w)).ratio(), 1.0);
}

}  // namespace
}  // namespace deepsim
