// The plan search (`deepsim plan`): the step's lower bound that prunes before simulating, and the whole
// search on the dense 530B example (5,120 A100s) that docs/performance.md sets beside Calculon's.
#include <benchmark/benchmark.h>

#include "sim/plan/plan_search.h"
#include "sim/plan/search_space.h"
#include "sim/scenario/loader.h"
#include "sim/step/static_analysis.h"
#include "sim/step/step_bound.h"

namespace deepsim {
namespace {

const char* const k530b = DEEPSIM_SOURCE_DIR "/scenarios/examples/megatron-530b-5120.yaml";

// compute_step_bound of the example's own plan (TP8 x PP32 x DP20, 1F1B, 96 micro-batches); memo:1
// finds its schedule and stage costs memoised, as every later plan sharing them does in a search.
void BM_StepBound530b(benchmark::State& state) {
  const Scenario s = load_scenario_file(k530b, {});
  const StaticAnalysis a = analyze(s);
  StepBoundMemo memo;
  StepBoundMemo* m = state.range(0) != 0 ? &memo : nullptr;
  if (m != nullptr) (void)compute_step_bound(s, a, m);
  for (auto _ : state) benchmark::DoNotOptimize(compute_step_bound(s, a, m));
}
BENCHMARK(BM_StepBound530b)->Arg(0)->Arg(1)->ArgNames({"memo"})->Unit(benchmark::kMillisecond);

// The whole default search of the example on one thread: static checks of every distinct plan, the
// bounds of those that fit, the simulations the bounds leave.
void BM_PlanSearch530b(benchmark::State& state) {
  const Scenario s = load_scenario_file(k530b, {});
  const SearchSpace space(s);
  PlanSearch r;
  for (auto _ : state) r = search_plans(s, space, {});
  state.counters["plans"] = static_cast<double>(r.plans.size());
  state.counters["simulated"] = static_cast<double>(r.simulated);
}
BENCHMARK(BM_PlanSearch530b)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace deepsim
