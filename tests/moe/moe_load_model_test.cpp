#include "sim/moe/moe_load_model.h"

#include <gtest/gtest.h>

#include <numeric>

#include "sim/moe/balancing_run.h"
#include "tests/moe/moe_test_shapes.h"

namespace deepsim {
namespace {

using moe_test::kEp64;
using moe_test::kEp8On4Nodes;
using moe_test::small_moe;
using moe_test::v3_moe;

MoeRoutingSpec zipf() {
  MoeRoutingSpec s;
  s.source = LoadSource::kZipf;
  s.zipf_exponent = 1.0;
  s.step_correlation = 0.9;
  return s;
}

TEST(MoeLoadModel, SameSeedSameLoadsAndRequestOrderDoesNotMatter) {
  MoeLoadModel a(zipf(), small_moe(), kEp8On4Nodes, 3, 42), b(zipf(), small_moe(), kEp8On4Nodes, 3, 42);
  MoeLoadModel c(zipf(), small_moe(), kEp8On4Nodes, 3, 43);
  for (int step = 0; step < 3; ++step) {
    const RoutedBatch a2 = a.route(2, 1, 32), a0 = a.route(0, 0, 32);
    const RoutedBatch b0 = b.route(0, 0, 32), b2 = b.route(2, 1, 32);  // asked in the other order
    EXPECT_EQ(a0.expert_tokens, b0.expert_tokens);
    EXPECT_EQ(a2.token_experts, b2.token_experts);
    EXPECT_EQ(a2.dest_gpus, b2.dest_gpus);
    EXPECT_EQ(a.route(0, 0, 32).token_experts, a0.token_experts);  // asking twice gives the same batch
    EXPECT_NE(c.route(0, 0, 32).token_experts, a0.token_experts);
    const RoutedBatch ag = a.route(1, 0, 4096, RoutingMode::kAggregate), bg = b.route(1, 0, 4096, RoutingMode::kAggregate);
    EXPECT_EQ(ag.expert_tokens, bg.expert_tokens);
    for (auto* m : {&a, &b, &c}) {
      m->observe(0, m->route(0, 0, 32));
      m->end_step();
    }
  }
}

// Every (token, expert) pair is counted once: sums over experts, GPUs and nodes are all T*k; the per-token
// destination runs are distinct and ascending.
TEST(MoeLoadModel, PerTokenOutputsAreConsistent) {
  MoeLoadModel m(zipf(), v3_moe(), kEp64, 1, 1);
  const RoutedBatch b = m.route(0, 0, 16, RoutingMode::kPerToken);
  const double pairs = 16.0 * 64 * 8;
  EXPECT_DOUBLE_EQ(std::accumulate(b.expert_tokens.begin(), b.expert_tokens.end(), 0.0), pairs);
  EXPECT_DOUBLE_EQ(std::accumulate(b.gpu_tokens.begin(), b.gpu_tokens.end(), 0.0), pairs);
  EXPECT_DOUBLE_EQ(std::accumulate(b.node_tokens.begin(), b.node_tokens.end(), 0.0), pairs);
  double nodes = 0;
  for (int src = 0; src < 64; ++src) {
    const auto& d = b.dest_gpus[static_cast<std::size_t>(src)];
    const auto& off = b.dest_offsets[static_cast<std::size_t>(src)];
    for (std::size_t t = 0; t + 1 < off.size(); ++t) {
      EXPECT_TRUE(std::is_sorted(d.begin() + off[t], d.begin() + off[t + 1]));
      EXPECT_EQ(std::adjacent_find(d.begin() + off[t], d.begin() + off[t + 1]), d.begin() + off[t + 1]);
      std::vector<int> n;
      for (auto i = off[t]; i < off[t + 1]; ++i) n.push_back(kEp64.node_of(d[i]));
      n.erase(std::unique(n.begin(), n.end()), n.end());
      EXPECT_LE(n.size(), 4u);  // the node limit
      nodes += static_cast<double>(n.size());
    }
  }
  EXPECT_DOUBLE_EQ(nodes / (16 * 64), b.mean_nodes_per_token);
}

// Aggregate and per-token modes describe the same distribution: over 40 micro-batches the mean tokens
// per expert agree to within a few percent (per-token expert counts are ~Binomial(T, pi): for the
// coldest Zipf expert with T*pi ~ 20 over 40 batches the relative error of the mean is ~ 1/sqrt(800) =
// 3.5%, so the tolerance compares sums over the 8 experts of each GPU, ~ 1/sqrt(6400) = 1.3%, at 6%).
TEST(MoeLoadModel, AggregateModeMatchesPerTokenOnAverage) {
  MoeRoutingSpec spec = zipf();
  spec.probe_tokens = 4096;
  MoeLoadModel m(spec, small_moe(), kEp8On4Nodes, 1, 9);
  std::vector<double> per_token(8, 0.0), aggregate(8, 0.0);
  double nodes_pt = 0, nodes_ag = 0;
  for (int mb = 0; mb < 40; ++mb) {
    const RoutedBatch a = m.route(0, mb, 64, RoutingMode::kPerToken), b = m.route(0, mb, 64, RoutingMode::kAggregate);
    for (int g = 0; g < 8; ++g) {
      per_token[static_cast<std::size_t>(g)] += a.gpu_tokens[static_cast<std::size_t>(g)];
      aggregate[static_cast<std::size_t>(g)] += b.gpu_tokens[static_cast<std::size_t>(g)];
    }
    nodes_pt += a.mean_nodes_per_token / 40;
    nodes_ag += b.mean_nodes_per_token / 40;
  }
  for (int g = 0; g < 8; ++g)
    EXPECT_NEAR(aggregate[static_cast<std::size_t>(g)] / per_token[static_cast<std::size_t>(g)], 1.0, 0.06) << "gpu " << g;
  EXPECT_NEAR(nodes_ag, nodes_pt, 0.05);
}

// EPLB inside the model: after the first rebalance the per-GPU max/mean under a Zipf skew drops, and
// the slot count stays experts + redundant.
TEST(MoeLoadModel, EplbRebalanceEveryNStepsLowersGpuImbalance) {
  MoeRoutingSpec spec = zipf();
  spec.step_correlation = 1.0;
  spec.balancing = false;
  spec.eplb = {EplbPolicy::kHierarchical, 64, 2};
  MoeLoadModel m(spec, v3_moe(), kEp64, 1, 3);
  const auto r = run_balancing(m, 4, 2, 4096, RoutingMode::kAggregate);
  EXPECT_EQ(m.placement(0).slots(), 320);
  RecordProperty("gpu_max_over_mean_contiguous", std::to_string(r[0].gpu_max_over_mean));
  RecordProperty("gpu_max_over_mean_eplb", std::to_string(r[3].gpu_max_over_mean));
  EXPECT_LT(r[3].gpu_max_over_mean, r[0].gpu_max_over_mean * 0.8);
}

TEST(MoeLoadModel, TraceDrivesTheExpertShares) {
  RoutingTrace t = parse_routing_trace_csv("step,layer,expert,tokens\n0,0,0,3\n0,0,5,1\n", "mem.csv");
  MoeRoutingSpec spec;
  spec.source = LoadSource::kTrace;
  MoeLoadModel m(spec, small_moe(), kEp8On4Nodes, 2, 1, t);
  const auto pi = m.selection_probabilities(1);  // layer 1 wraps to the trace's layer 0
  EXPECT_DOUBLE_EQ(pi[0], 3.0);                  // top_k * 3/4
  EXPECT_DOUBLE_EQ(pi[5], 1.0);
  EXPECT_DOUBLE_EQ(pi[1], 0.0);
}

}  // namespace
}  // namespace deepsim
