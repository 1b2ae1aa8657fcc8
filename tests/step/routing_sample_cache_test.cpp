// RoutingSampleCache: reused draws give the same step, each key is computed once even when threads ask
// together, and a failed computation is not kept.
#include "sim/step/routing_sample_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sim/step/simulate.h"
#include "tests/forecast/forecast_test_support.h"

namespace deepsim {
namespace {

TEST(RoutingSampleCache, CachedSamplesGiveTheSameStepAndAreDrawnOncePerKey) {
  RoutingSampleCache cache;
  StepOptions with_cache;
  with_cache.routing_cache = &cache;
  const Scenario a = test::small_run();
  const Scenario b = test::small_run({"parallel.schedule=gpipe"});  // same routing inputs
  const Scenario c = test::small_run({"seed=5"});                    // other samples
  const StepResult fresh_a = simulate_step(a), fresh_b = simulate_step(b);
  EXPECT_EQ(simulate_step(a, with_cache).step, fresh_a.step);
  EXPECT_EQ(cache.misses(), 1U);  // one EP group per stage in the representative pipeline
  EXPECT_EQ(simulate_step(b, with_cache).step, fresh_b.step);
  EXPECT_EQ(cache.misses(), 1U);
  EXPECT_EQ(cache.hits(), 1U);
  (void)simulate_step(c, with_cache);
  EXPECT_EQ(cache.misses(), 2U);
}

RoutingSampleKey key_of(int tokens) {
  RoutingSampleKey k;
  k.seed = 7;
  k.ep = 8;
  k.tokens = tokens;
  k.gpus_per_node = 8;
  return k;
}

AllToAllLoad load_with(double bytes) {
  AllToAllLoad l;
  l.ib_bytes = bytes;
  return l;
}

TEST(RoutingSampleCache, ThreadsAskingForOneKeyTogetherComputeItOnce) {
  // Eight threads ask for the same key; the computation holds until all eight have asked (each ask
  // counts a hit or a miss before it computes or waits), so seven find the key while it is being
  // computed: they wait for it rather than compute it again, and all get the same load.
  RoutingSampleCache cache;
  std::atomic<int> made{0};
  constexpr int kThreads = 8;
  std::vector<std::shared_ptr<const AllToAllLoad>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      got[t] = cache.get(key_of(4096), [&] {
        ++made;
        while (cache.hits() + cache.misses() < kThreads) std::this_thread::yield();
        return load_with(3.0);
      });
    });
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(cache.misses(), 1U);
  EXPECT_EQ(cache.hits(), static_cast<std::uint64_t>(kThreads - 1));
  for (const auto& g : got) {
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g.get(), got[0].get());  // one shared load
    EXPECT_EQ(g->ib_bytes, 3.0);
  }
}

TEST(RoutingSampleCache, AFailedComputationReachesTheCallerAndIsComputedAgainNextTime) {
  RoutingSampleCache cache;
  EXPECT_THROW((void)cache.get(key_of(64), []() -> AllToAllLoad { throw std::runtime_error("no sample"); }),
               std::runtime_error);
  const auto again = cache.get(key_of(64), [] { return load_with(5.0); });
  EXPECT_EQ(again->ib_bytes, 5.0);
  EXPECT_EQ(cache.misses(), 2U);  // the failure was not kept
  EXPECT_EQ(cache.get(key_of(64), [] { return load_with(6.0); })->ib_bytes, 5.0);  // now it is
  EXPECT_EQ(cache.hits(), 1U);
}

}  // namespace
}  // namespace deepsim
