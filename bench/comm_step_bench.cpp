// Benchmark: the default DeepSeek-V3 step (scenarios/default.yaml: 2048 H800, PP16 DualPipe, EP64,
// DP128, 120 micro-batches) end to end with each comm model (`simulation.network`), and with the DP
// gradients in 100 MB buckets. Arg 0: analytic, 1: flow; arg 1: bucket MB (0: none). Figures in
// docs/performance.md.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"

namespace deepsim {
namespace {

void BM_DefaultStepNetwork(benchmark::State& state) {
  std::vector<std::string> o = {std::string("simulation.network=") + (state.range(0) == 1 ? "flow" : "analytic"),
                                "parallel.grad_bucket_mb=" + std::to_string(state.range(1))};
  const Scenario s = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml", o);
  StepResult r;
  for (auto _ : state) {
    r = simulate_step(s);
    benchmark::DoNotOptimize(r.step);
  }
  state.counters["step_s"] = r.step.seconds();
  state.counters["tasks"] = static_cast<double>(r.tasks);
  state.counters["events"] = static_cast<double>(r.events);
}
BENCHMARK(BM_DefaultStepNetwork)->Args({0, 0})->Args({0, 100})->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_DefaultStepNetwork)->Args({1, 0})->Args({1, 100})->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace deepsim
