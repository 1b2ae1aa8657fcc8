// Benchmarks of the per-run hot paths issue 17 touched: the bounded draw, the group-limited routing
// sample of one micro-batch (DeepSeek-V3: 256 experts in 8 groups, 4 groups per token, top-8, EP64, 4096
// tokens per GPU), and a whole representative step of the default scenario with and without the
// routing-sample cache. Figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "sim/core/rng.h"
#include "sim/moe/token_router.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/net/token_routing.h"
#include "sim/scenario/loader.h"
#include "sim/step/routing_sample_cache.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"

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

// The MoE load model's probe (aggregate mode): one token's Rao-Blackwellised inclusion probabilities
// on DeepSeek-V3's router with Zipf(0.5) popularity, Gumbel noise. default-zipf.yaml's warm-up runs
// about half a million of these.
void BM_InclusionProbabilitiesV3(benchmark::State& state) {
  TokenRouter router(RouterShape{256, 8, 4, 8}, RouterNoise::kGumbel, GroupScoreRule::kTop2Sum, 1.0);
  std::vector<double> base(256), acc(256, 0.0);
  for (std::size_t e = 0; e < base.size(); ++e) base[e] = -0.5 * std::log(e + 1.0);
  Rng rng(3);
  for (auto _ : state) router.add_inclusion_probabilities(base, rng, acc);
  benchmark::DoNotOptimize(acc.data());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProbabilitiesV3);

// One plan's static check in `deepsim plan` (layout, memory, lower bound) once the per-(schedule, pp,
// micro-batch shape) memos are warm: the default scenario with EP and ZeRO varied.
void BM_AnalyzePlan(benchmark::State& state) {
  Scenario s = load_scenario_file(DEEPSIM_SOURCE_DIR "/scenarios/default.yaml", {});
  const int eps[] = {8, 16, 32, 64};
  std::size_t i = 0;
  for (auto _ : state) {
    s.parallel.ep = eps[i % 4];
    s.parallel.zero_stage = static_cast<int>(i / 4 % 2);
    ++i;
    benchmark::DoNotOptimize(analyze(s).step_lower_bound());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnalyzePlan)->Unit(benchmark::kMicrosecond);

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
