// parallel.tp_comm_overlap: Megatron's two ways of hiding TP collectives. async-grad moves each block's
// backward reduction beside its weight gradient (the step then saves exactly min(reduction, W) per block);
// userbuffers (with sequence parallelism) runs each block's all-gather and reduce-scatter beside the
// block, with 1/tp of each exposed as the chunk pipeline's fill and drain. The graph's structure and
// the engine's timings are checked against what those rules imply.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "sim/core/error.h"
#include "sim/engine/fixed_comm_model.h"
#include "sim/net/flow_run.h"
#include "sim/report/step_trace.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"
#include "sim/step/task_info.h"

namespace deepsim {
namespace {

// GPT-22B's shapes cut to two layers, one 1024-token sequence per micro-batch, two micro-batches, one DGX
// A100, PP1 x DP(8/tp) x TP, no recompute. comm_sms = 0: compute beside a collective keeps every SM, so
// durations do not depend on what overlaps.
Scenario tiny(int tp, std::vector<std::string> more = {}) {
  std::vector<std::string> o = {"model.layers=2",
                                "parallel.tp=" + std::to_string(tp),
                                "parallel.dp=" + std::to_string(8 / tp),
                                "parallel.micro_batch_size=1",
                                "parallel.micro_batches=2",
                                "parallel.comm_sms=0",
                                "training.global_batch=" + std::to_string(2 * (8 / tp)),
                                "training.seq_len=1024",
                                "training.recompute=none"};
  o.insert(o.end(), more.begin(), more.end());
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/22b-full.yaml", o);
}

constexpr double kTpBytes = 1024.0 * 6144 * 2;  // S: micro-batch x seq_len x hidden x 2 (BF16)

TaskId id(std::size_t i) { return TaskId(static_cast<TaskId::rep>(i)); }
Time took(const StepSimulation& sim, std::size_t i) { return sim.run.tasks[i].end - sim.run.tasks[i].start; }
std::string label_of(const StepSimulation& sim, std::size_t i) { return step_task_label(sim.graph.info[i]); }
bool is_tp(const StepSimulation& sim, std::size_t i) {
  const Task& t = sim.graph.graph.task(id(i));
  return t.kind == TaskKind::kComm && static_cast<StepCategory>(t.category) == StepCategory::kTensorParallel &&
         sim.graph.rank_of_task[i] == 0;
}
bool on_compute_stream(const StepSimulation& sim, std::size_t i) {
  return sim.graph.graph.task(id(i)).stream == sim.graph.rank_streams[0][0];
}

TEST(TpCommOverlap, AsyncGradMovesOnlyTheBackwardReductionsOffTheComputeStream) {
  const StepSimulation sim = simulate_step_full(tiny(4, {"parallel.tp_comm_overlap=async-grad"}));
  int forward = 0, backward = 0;
  for (std::size_t i = 0; i < sim.graph.info.size(); ++i) {
    if (!is_tp(sim, i)) continue;
    const bool bwd = label_of(sim, i).find("-bwd") != std::string::npos;
    (bwd ? backward : forward) += 1;
    EXPECT_EQ(on_compute_stream(sim, i), !bwd) << label_of(sim, i);
  }
  EXPECT_EQ(forward, 8);  // 2 layers x 2 micro-batches x 2 blocks, blocking
  EXPECT_EQ(backward, 8);
}

TEST(TpCommOverlap, AsyncGradSavesExactlyTheShorterOfEachReductionAndItsWeightGradient) {
  // One rank's serial chain per block: none runs dgrad, all-reduce, W; async-grad runs dgrad, then the
  // all-reduce (comm stream) beside the W, and the next block waits for both. TP8 x DP1: one rank.
  const StepSimulation none = simulate_step_full(tiny(8));
  const StepSimulation async = simulate_step_full(tiny(8, {"parallel.tp_comm_overlap=async-grad"}));
  // (layer, micro-batch, mlp?) -> the reduction's and the W's durations.
  std::map<std::tuple<int, int, bool>, std::pair<Time, Time>> blocks;
  for (std::size_t i = 0; i < async.graph.info.size(); ++i) {
    const StepTaskInfo& info = async.graph.info[i];
    if (async.graph.rank_of_task[i] != 0) continue;
    if (is_tp(async, i) && label_of(async, i).find("-bwd") != std::string::npos)
      blocks[{info.layer, info.mb, label_of(async, i).find("mlp") != std::string::npos}].first = took(async, i);
    if (info.op == StepOp::kAttnWgrad || info.op == StepOp::kFfnWgrad)
      blocks[{info.layer, info.mb, info.op == StepOp::kFfnWgrad}].second = took(async, i);
  }
  ASSERT_EQ(blocks.size(), 8u);
  Time saved;
  for (const auto& [key, t] : blocks) {
    EXPECT_GT(t.first, Time::zero());
    EXPECT_GT(t.second, Time::zero());
    saved += std::min(t.first, t.second);
  }
  EXPECT_LT(async.result.step, none.result.step);
  EXPECT_EQ(none.result.step - async.result.step, saved);
}

TEST(TpCommOverlap, UserBuffersNeedsSequenceParallelism) {
  try {
    (void)tiny(4, {"parallel.tp_comm_overlap=userbuffers"});
    FAIL() << "expected an input error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("parallel.tp_comm_overlap"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sequence_parallel"), std::string::npos) << e.what();
  }
}

TEST(TpCommOverlap, UserBuffersSplitsEachCollectiveIntoFillOrDrainAndTheRest) {
  const int tp = 4;
  const StepSimulation sim =
      simulate_step_full(tiny(tp, {"parallel.sequence_parallel=true", "parallel.tp_comm_overlap=userbuffers"}));
  // Per (layer, micro-batch, label without its chunk): the chunks' bytes add up to S, as 1/tp + (tp-1)/tp.
  std::map<std::tuple<int, int, std::string>, std::vector<double>> parts;
  int tasks = 0;
  for (std::size_t i = 0; i < sim.graph.info.size(); ++i) {
    if (!is_tp(sim, i)) continue;
    ++tasks;
    EXPECT_FALSE(on_compute_stream(sim, i)) << label_of(sim, i);
    const CommOp& op = sim.graph.graph.comm_op(sim.graph.graph.task(id(i)));
    parts[{sim.graph.info[i].layer, sim.graph.info[i].mb, label_of(sim, i)}].push_back(op.bytes.value());
  }
  // Per layer and micro-batch, 2 blocks: the forward's AG and RS in two chunks each (8 tasks); the
  // backward's AG in two, its RS whole beside the weight gradient (1F1B's full backward), and the input's
  // re-gather whole beside the input gradient: 8 tasks.
  EXPECT_EQ(tasks, 2 * 2 * (8 + 8));
  ASSERT_EQ(parts.size(), 40u);
  for (const auto& [key, b] : parts) {
    const std::string& label = std::get<2>(key);
    if ((label.find("tp-rs") != std::string::npos && label.find("-bwd") != std::string::npos) ||
        label.find("-regather") != std::string::npos) {
      ASSERT_EQ(b.size(), 1u) << label;
      EXPECT_DOUBLE_EQ(b[0], kTpBytes) << label;
      continue;
    }
    ASSERT_EQ(b.size(), 2u) << label;
    const auto [lo, hi] = std::minmax(b[0], b[1]);
    EXPECT_DOUBLE_EQ(lo, kTpBytes / tp) << label;
    EXPECT_DOUBLE_EQ(hi, kTpBytes * (tp - 1) / tp) << label;
  }
}

TEST(TpCommOverlap, UserBuffersRunsTheBlockBesideItsCollectivesBetweenFillAndDrain) {
  const int tp = 4;
  const StepSimulation sim =
      simulate_step_full(tiny(tp, {"parallel.sequence_parallel=true", "parallel.tp_comm_overlap=userbuffers"}));
  // The first layer's forward attention block of micro-batch 0: its TP tasks in graph order are
  // AG fill, AG rest, RS rest, RS drain; the attention starts when the fill ends, beside the rest, and the
  // drain starts when both the attention and the rest have ended.
  std::vector<std::size_t> tp_ops;
  std::size_t attn = 0;
  for (std::size_t i = 0; i < sim.graph.info.size(); ++i) {
    const StepTaskInfo& info = sim.graph.info[i];
    if (sim.graph.rank_of_task[i] != 0 || info.layer != 0 || info.mb != 0) continue;
    if (info.op == StepOp::kAttnFwd) attn = i;
    if (is_tp(sim, i) && label_of(sim, i).find("attn L0") != std::string::npos &&
        label_of(sim, i).find("-bwd") == std::string::npos)
      tp_ops.push_back(i);
  }
  ASSERT_EQ(tp_ops.size(), 4u);
  ASSERT_GT(attn, 0u);
  const auto& t = sim.run.tasks;
  EXPECT_EQ(t[attn].start, t[tp_ops[0]].end);
  EXPECT_EQ(t[tp_ops[1]].start, t[tp_ops[0]].end);  // the rest of the gather beside the attention
  EXPECT_LT(t[tp_ops[1]].end, t[attn].end);         // 22B's attention outlasts 3/4 of a 12.6 MB gather
  EXPECT_EQ(t[tp_ops[3]].start, std::max(t[attn].end, t[tp_ops[2]].end));
  // The step: faster than blocking sequence parallelism, never faster than its compute alone.
  const StepSimulation blocking = simulate_step_full(tiny(tp, {"parallel.sequence_parallel=true"}));
  FixedCommModel free_comm(Time::zero());
  const RunResult compute_only = run(blocking.graph.graph, blocking.links, free_comm);
  EXPECT_LT(sim.result.step, blocking.result.step);
  EXPECT_GT(sim.result.step, compute_only.makespan);
}

TEST(TpCommOverlap, UserBuffersDrainsTheBackwardReduceScatterWhenTheWeightGradientIsSplitOff) {
  // ZB1P on PP2 x DP2 x TP4 (two nodes): the backward's B carries no weight gradient (W runs later), so the input
  // gradient's reduce-scatter is chunked like the forward's: the drain waits for the dgrad.
  const StepSimulation sim = simulate_step_full(tiny(
      4, {"parallel.sequence_parallel=true", "parallel.tp_comm_overlap=userbuffers", "parallel.pp=2", "parallel.dp=2", "cluster.nodes=2",
          "parallel.schedule=zb1p", "training.global_batch=4"}));
  std::map<std::string, int> rs_bwd;
  for (std::size_t i = 0; i < sim.graph.info.size(); ++i)
    if (is_tp(sim, i) && label_of(sim, i).find("tp-rs") != std::string::npos &&
        label_of(sim, i).find("-bwd") != std::string::npos)
      ++rs_bwd[label_of(sim, i)];
  ASSERT_FALSE(rs_bwd.empty());
  for (const auto& [label, n] : rs_bwd) EXPECT_EQ(n, 2) << label;
  const StepSimulation blocking = simulate_step_full(
      tiny(4, {"parallel.sequence_parallel=true", "parallel.pp=2", "parallel.dp=2", "cluster.nodes=2", "parallel.schedule=zb1p",
               "training.global_batch=4"}));
  EXPECT_LT(sim.result.step, blocking.result.step);
}

TEST(TpCommOverlap, NoneIsTheDefaultAndChangesNothing) {
  const StepSimulation plain = simulate_step_full(tiny(4));
  const StepSimulation none = simulate_step_full(tiny(4, {"parallel.tp_comm_overlap=none"}));
  EXPECT_EQ(plain.result.step, none.result.step);
  EXPECT_EQ(plain.graph.graph.tasks().size(), none.graph.graph.tasks().size());
}

TEST(TpCommOverlap, SameScenarioSameTraceBytes) {
  const Scenario s = tiny(4, {"parallel.sequence_parallel=true", "parallel.tp_comm_overlap=userbuffers"});
  auto trace = [&] {
    std::ostringstream out;
    write_step_trace(out, simulate_step_full(s));
    return out.str();
  };
  EXPECT_EQ(trace(), trace());
}

}  // namespace
}  // namespace deepsim
