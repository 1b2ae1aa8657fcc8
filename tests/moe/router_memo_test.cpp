#include "sim/moe/router_memo.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "sim/moe/balancing_run.h"
#include "sim/moe/moe_load_model.h"
#include "tests/moe/moe_test_shapes.h"

namespace deepsim {
namespace {

using moe_test::kEp8On4Nodes;
using moe_test::small_moe;

MoeRoutingSpec skewed(bool balancing, EplbPolicy eplb) {
  MoeRoutingSpec s;
  s.source = LoadSource::kZipf;
  s.zipf_exponent = 1.0;
  s.step_correlation = 0.9;
  s.balancing = balancing;
  s.bias_gamma = 0.01;
  s.probe_tokens = 64;
  s.eplb.policy = eplb;
  s.eplb.redundant_experts = 8;
  s.eplb.rebalance_every_steps = 2;
  return s;
}

// Walks a model through `steps` balancing steps and returns every batch it routed afterwards.
std::vector<RoutedBatch> walk(const MoeRoutingSpec& spec, RouterMemo* memo, int steps) {
  MoeLoadModel m(spec, small_moe(), kEp8On4Nodes, 2, 7);
  m.use_memo(memo);
  (void)run_balancing(m, steps, 2, 64, RoutingMode::kAggregate);
  return {m.route(0, 0, 64, RoutingMode::kAggregate), m.route(1, 1, 64, RoutingMode::kAggregate),
          m.route(0, 0, 8, RoutingMode::kPerToken)};
}

void expect_same(const std::vector<RoutedBatch>& a, const std::vector<RoutedBatch>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].expert_tokens, b[i].expert_tokens) << i;
    EXPECT_EQ(a[i].gpu_tokens, b[i].gpu_tokens) << i;
    EXPECT_EQ(a[i].token_experts, b[i].token_experts) << i;
    EXPECT_EQ(a[i].dest_gpus, b[i].dest_gpus) << i;
    EXPECT_EQ(a[i].mean_nodes_per_token, b[i].mean_nodes_per_token) << i;
  }
}

// The imbalance study's pairs: "bias" and "bias + EPLB" see the same base scores at every step, so the
// second walk is served from the memo; its batches (placement-dependent GPU loads and node counts
// included) are those of a walk without the memo.
TEST(RouterMemo, SharedDrawsChangeNoBatchAndAreReusedAcrossModels) {
  RouterMemo memo;
  const auto bias = walk(skewed(true, EplbPolicy::kNone), &memo, 5);
  const std::uint64_t after_first = memo.misses();
  EXPECT_EQ(memo.hits(), 0u);
  const auto both = walk(skewed(true, EplbPolicy::kHierarchical), &memo, 5);
  EXPECT_EQ(memo.misses(), after_first) << "every draw of the second walk was already there";
  EXPECT_GT(memo.hits(), 10u);
  expect_same(bias, walk(skewed(true, EplbPolicy::kNone), nullptr, 5));
  expect_same(both, walk(skewed(true, EplbPolicy::kHierarchical), nullptr, 5));
  // EPLB moved replicas: the GPU loads differ although the expert loads are the same.
  EXPECT_EQ(bias[0].expert_tokens, both[0].expert_tokens);
  EXPECT_NE(bias[0].gpu_tokens, both[0].gpu_tokens);
  // A model whose base scores differ (no bias) finds nothing to reuse after its first step.
  const std::uint64_t hits = memo.hits();
  (void)walk(skewed(false, EplbPolicy::kNone), &memo, 5);
  EXPECT_LE(memo.hits() - hits, 4u);  // step 0 (bias still zero): one probe per layer, and nothing later
}

// The imbalance study's variants walk on several threads: two walks of the same draws together give
// the batches of walks without the memo, and each draw is computed once (the second thread to ask
// waits for the first).
TEST(RouterMemo, TwoThreadsWalkingTheSameDrawsComputeEachOnce) {
  RouterMemo alone;
  (void)walk(skewed(true, EplbPolicy::kNone), &alone, 5);
  RouterMemo memo;
  std::vector<RoutedBatch> bias, both;
  std::thread a([&] { bias = walk(skewed(true, EplbPolicy::kNone), &memo, 5); });
  std::thread b([&] { both = walk(skewed(true, EplbPolicy::kHierarchical), &memo, 5); });
  a.join();
  b.join();
  EXPECT_EQ(memo.misses(), alone.misses()) << "no draw computed twice";
  EXPECT_EQ(memo.hits(), alone.hits() + alone.misses() + alone.hits());
  expect_same(bias, walk(skewed(true, EplbPolicy::kNone), nullptr, 5));
  expect_same(both, walk(skewed(true, EplbPolicy::kHierarchical), nullptr, 5));
}

TEST(RouterMemo, ThreadsAskingForOneDrawTogetherWaitForOneComputation) {
  // Four threads ask for one draw; its computation holds until all four have asked.
  RouterMemo memo;
  const std::vector<double> base{0.5, 0.25};
  std::atomic<int> made{0};
  std::vector<std::shared_ptr<const RouterDraw>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      got[t] = memo.get(RouterDrawKey{}, base, [&] {
        ++made;
        while (memo.hits() + memo.misses() < 4) std::this_thread::yield();
        return RouterDraw{{1.0}, {3}};
      });
    });
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(made.load(), 1);
  for (const auto& g : got) EXPECT_EQ(g.get(), got[0].get());
}

TEST(RouterMemo, AFailedDrawIsNotKept) {
  RouterMemo memo;
  const std::vector<double> base{1.0};
  EXPECT_THROW((void)memo.get(RouterDrawKey{}, base, []() -> RouterDraw { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_EQ(memo.get(RouterDrawKey{}, base, [] { return RouterDraw{{2.0}, {}}; })->pi, std::vector<double>{2.0});
  EXPECT_EQ(memo.misses(), 2U);
  EXPECT_EQ(memo.get(RouterDrawKey{}, base, [] { return RouterDraw{{9.0}, {}}; })->pi, std::vector<double>{2.0});
}

}  // namespace
}  // namespace deepsim
