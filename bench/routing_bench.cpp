// Benchmarks of the per-run hot paths issue 17 touched: the bounded draw, the group-limited routing
// sample of one micro-batch (DeepSeek-V3: 256 experts in 8 groups, 4 groups per token, top-8, EP64, 4096
// tokens per GPU), and a whole representative step of the default scenario with and without the
// routing-sample cache. Figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include "sim/core/rng.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/net/token_routing.h"
#include "sim/scenario/loader.h"
#include "sim/step/routing_sample_cache.h"
#include "sim/step/simulate.h"

namespace deepsim {
namespace {

void BM_RngBelow(benchmark::State& state) {
  Rng rng(1);
  const auto n = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t sum = 0;
  for (auto _ : state) sum += rng.below(n);
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RngBelow)->Arg(8)->Arg(128);

void BM_GroupLimitedRoutingEp64(benchmark::State& state) {
  const GroupLimitedTopK shape{256, 8, 4, 8};
  EpGroupShape g;
  g.gpus = 64;
  g.gpus_per_node = 8;
  for (auto _ : state) {
    Rng rng(7);
    const TokenRouting r = sample_group_limited_routing(shape, 64, 4096, rng);
    const AllToAllLoad load = all_to_all_load(g, r, 1.0);
    benchmark::DoNotOptimize(load.ib_bytes);
  }
  state.SetItemsProcessed(state.iterations() * 64 * 4096);  // tokens routed
}
BENCHMARK(BM_GroupLimitedRoutingEp64)->Unit(benchmark::kMillisecond);

void BM_DefaultStep(benchmark::State& state) {
  const Scenario s = load_scenario_file(DEEPSIM_SOURCE_DIR "/scenarios/default.yaml", {});
  RoutingSampleCache cache;
  StepOptions o;
  if (state.range(0) != 0) {
    o.routing_cache = &cache;
    (void)simulate_step(s, o);  // warm: what every later ramp level or sweep point finds
  }
  for (auto _ : state) benchmark::DoNotOptimize(simulate_step(s, o).step);
}
BENCHMARK(BM_DefaultStep)->Arg(0)->Arg(1)->ArgNames({"cached"})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace deepsim
