// Benchmark: build and run the step graph of a DeepSeek-V3-shaped pipeline (DualPipe, PP16, 120
// micro-batches, 4 MoE layers per stage, all-to-alls on the comm streams with SM sharing).
#include <benchmark/benchmark.h>

#include "sim/engine/fixed_comm_model.h"
#include "sim/net/flow_run.h"
#include "sim/parallel/schedules.h"
#include "sim/step/step_graph.h"
#include "sim/step/step_metrics.h"
#include "sim/step/task_info.h"

namespace deepsim {
namespace {

StepInputs v3_shaped_inputs(int pp) {
  StepInputs in;
  for (int s = 0; s < pp; ++s) {
    StageCost sc;
    sc.stage = s;
    for (int l = 0; l < 4; ++l) {
      LayerCost lc;
      lc.layer = s * 4 + l;
      lc.moe = true;
      lc.attention = {Time::us(900), Time::us(1100), Time::us(700)};
      lc.mlp = {Time::us(800), Time::us(900), Time::us(700)};
      sc.layers.push_back(lc);
    }
    in.stages.push_back(sc);
  }
  for (int r = 0; r < pp; ++r) in.rank_gpu.push_back(r * 128);
  in.gpu_sms = 132;
  in.comm_sms = 20;
  // Each rank its own one-GPU "EP group"; FixedCommModel times dispatch 700 us and combine 900 us.
  in.moe.members = [gpus = in.rank_gpu](int, int rank) { return std::vector<std::int32_t>{gpus[static_cast<std::size_t>(rank)]}; };
  in.moe.routing = [](int, int, int) { return 0u; };
  return in;
}

void BM_DualPipeStepPP16(benchmark::State& state) {
  const int micro_batches = static_cast<int>(state.range(0));
  const Schedule s = make_dualpipe(16, micro_batches).value();
  const StepInputs in = v3_shaped_inputs(16);
  LinkTable links;
  std::size_t tasks = 0;
  for (auto _ : state) {
    FixedCommModel comm;
    comm.set(CommKind::kDispatch, Time::us(700)).set(CommKind::kCombine, Time::us(900));
    const StepGraph g = build_step_graph(s, in);
    const RunResult r = run(g.graph, links, comm);
    benchmark::DoNotOptimize(r.makespan);
    tasks = g.graph.size();
  }
  state.counters["tasks"] = static_cast<double>(tasks);
  state.counters["tasks/s"] = benchmark::Counter(static_cast<double>(tasks), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_DualPipeStepPP16)->Arg(32)->Arg(120)->Unit(benchmark::kMillisecond);

// Graph building alone (no engine run): what every simulated step and ramp level pays. Labels are not
// built here (issue 17: they were most of this); BM_StepTaskLabels is what a trace pays for them.
void BM_BuildStepGraphPP16(benchmark::State& state) {
  const Schedule s = make_dualpipe(16, static_cast<int>(state.range(0))).value();
  const StepInputs in = v3_shaped_inputs(16);
  std::size_t tasks = 0;
  for (auto _ : state) {
    const StepGraph g = build_step_graph(s, in);
    benchmark::DoNotOptimize(g.graph.size());
    tasks = g.graph.size();
  }
  state.counters["tasks"] = static_cast<double>(tasks);
  state.counters["tasks/s"] = benchmark::Counter(static_cast<double>(tasks), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_BuildStepGraphPP16)->Arg(32)->Arg(120)->Unit(benchmark::kMillisecond);

// Every task's label of the same graph, rebuilt from its StepTaskInfo, as writing trace.json does.
void BM_StepTaskLabels(benchmark::State& state) {
  const Schedule s = make_dualpipe(16, 120).value();
  const StepGraph g = build_step_graph(s, v3_shaped_inputs(16));
  for (auto _ : state) {
    std::size_t chars = 0;
    for (const StepTaskInfo& info : g.info) chars += step_task_label(info).size();
    benchmark::DoNotOptimize(chars);
  }
  state.counters["tasks/s"] = benchmark::Counter(static_cast<double>(g.info.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_StepTaskLabels)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace deepsim
