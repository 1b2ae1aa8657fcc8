// Megatron tensor parallelism's communication in the step: the TP collectives of every layer (their
// count, kind, bytes and group), their timing on NVLink against the ring closed form, their cost on the
// step, sequence parallelism's collectives and activation memory, TP across nodes, MoE blocks, and
// byte-identical traces.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "sim/core/error.h"
#include "sim/engine/fixed_comm_model.h"
#include "sim/net/comm_closed_forms.h"
#include "sim/net/protocol_model.h"
#include "sim/net/flow_run.h"
#include "sim/report/step_trace.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"
#include "sim/step/task_info.h"

namespace deepsim {
namespace {

// GPT-22B's shapes (hidden 6144, 64 heads, GELU 4h, LayerNorm, dropout) cut to `layers` layers, one 1024-token
// sequence per micro-batch, two micro-batches, on one DGX A100 (8 GPUs on NVSwitch), PP1 1F1B, no recompute.
Scenario tiny(int tp, std::vector<std::string> more = {}, int layers = 2) {
  const int nodes = tp > 8 ? tp / 8 : 1;
  const int dp = nodes * 8 / tp;
  std::vector<std::string> o = {"cluster.nodes=" + std::to_string(nodes),
                                "model.layers=" + std::to_string(layers),
                                "parallel.tp=" + std::to_string(tp),
                                "parallel.dp=" + std::to_string(dp),
                                "parallel.micro_batch_size=1",
                                "parallel.micro_batches=2",
                                "training.global_batch=" + std::to_string(2 * dp),
                                "training.seq_len=1024",
                                "training.recompute=none"};
  o.insert(o.end(), more.begin(), more.end());
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/22b-full.yaml", o);
}

// S of every TP collective: micro-batch x seq_len x hidden x 2 (BF16) = 1 x 1024 x 6144 x 2 bytes.
constexpr double kTpBytes = 12'582'912;

struct TpTask {
  std::size_t index;
  CommKind kind;
  bool backward;
  int layer, mb;
};

// The TP comm tasks of replica 0's ranks, with whether each belongs to a backward ("-bwd"/"-rerun" labels).
std::vector<TpTask> tp_tasks(const StepGraph& g) {
  std::vector<TpTask> out;
  const auto tasks = g.graph.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    if (t.kind != TaskKind::kComm || static_cast<StepCategory>(t.category) != StepCategory::kTensorParallel) continue;
    if (g.rank_of_task[i] < 0) continue;
    const std::string label = step_task_label(g.info[i]);
    const bool bwd = label.find("-bwd") != std::string::npos || label.find("-rerun") != std::string::npos ||
                     label.find("-regather") != std::string::npos;
    out.push_back({i, g.graph.comm_op(t).kind, bwd, g.info[i].layer, g.info[i].mb});
  }
  return out;
}

// Per (layer, micro-batch, backward?, kind): how many.
using Counts = std::map<std::tuple<int, int, bool, CommKind>, int>;
Counts count(const std::vector<TpTask>& tasks) {
  Counts c;
  for (const TpTask& t : tasks) ++c[{t.layer, t.mb, t.backward, t.kind}];
  return c;
}

TEST(TensorParallel, TwoAllReducesForwardAndTwoBackwardPerLayerAndMicroBatch) {
  for (const int tp : {2, 4}) {
    const StepSimulation sim = simulate_step_full(tiny(tp));
    const auto tasks = tp_tasks(sim.graph);
    // 2 layers x 2 micro-batches x (2 forward + 2 backward) = 16 all-reduces.
    ASSERT_EQ(tasks.size(), 16u) << "tp " << tp;
    const Counts c = count(tasks);
    for (int layer = 0; layer < 2; ++layer)
      for (int mb = 0; mb < 2; ++mb)
        for (const bool bwd : {false, true}) EXPECT_EQ((c.at({layer, mb, bwd, CommKind::kAllReduce})), 2) << tp;
    const TaskGraph& g = sim.graph.graph;
    for (const TpTask& t : tasks) {
      const CommOp& op = g.comm_op(g.task(TaskId(static_cast<TaskId::rep>(t.index))));
      EXPECT_DOUBLE_EQ(op.bytes.value(), kTpBytes);  // full, not / tp
      const auto members = g.comm_group(op.group);
      ASSERT_EQ(members.size(), static_cast<std::size_t>(tp));
      for (int k = 0; k < tp; ++k) EXPECT_EQ(members[static_cast<std::size_t>(k)], k);  // stage 0, DP rank 0
      // On the compute stream: it blocks compute (no TP comm overlap).
      EXPECT_EQ(g.task(TaskId(static_cast<TaskId::rep>(t.index))).stream, sim.graph.rank_streams[0][0]);
    }
  }
}

TEST(TensorParallel, SequenceParallelismTurnsEachAllReduceIntoAReduceScatterAndAnAllGather) {
  const StepSimulation sim = simulate_step_full(tiny(4, {"parallel.sequence_parallel=true"}));
  const auto tasks = tp_tasks(sim.graph);
  // 2 layers x 2 micro-batches x (forward 2 AG + 2 RS; backward 2 AG + 2 RS + 2 re-gathers)
  ASSERT_EQ(tasks.size(), 40u);
  const Counts c = count(tasks);
  for (int layer = 0; layer < 2; ++layer)
    for (int mb = 0; mb < 2; ++mb)
      for (const bool bwd : {false, true}) {
        EXPECT_EQ((c.at({layer, mb, bwd, CommKind::kAllGather})), bwd ? 4 : 2);
        EXPECT_EQ((c.at({layer, mb, bwd, CommKind::kReduceScatter})), 2);
      }
  // Forward order per layer: AG, attention, RS, AG, FFN, RS.
  std::vector<CommKind> first_layer;
  for (const TpTask& t : tasks)
    if (t.layer == 0 && t.mb == 0 && !t.backward) first_layer.push_back(t.kind);
  EXPECT_EQ(first_layer, (std::vector<CommKind>{CommKind::kAllGather, CommKind::kReduceScatter, CommKind::kAllGather,
                                                CommKind::kReduceScatter}));
  for (const TpTask& t : tasks)
    EXPECT_DOUBLE_EQ(sim.graph.graph.comm_op(sim.graph.graph.task(TaskId(static_cast<TaskId::rep>(t.index)))).bytes.value(),
                     kTpBytes);  // nccl-tests' S: the whole gathered buffer
}

// Megatron keeps only its shard of each block's gathered input under SP and gathers it again for the weight
// gradient (Korthikanti et al. 2022, 4.2.2). Without overlap it blocks the compute stream before the block's
// input gradient; with async-grad it runs beside the input gradient and the weight gradient waits for it.
TEST(TensorParallel, SequenceParallelismGathersEachBlocksInputAgainForItsWeightGradient) {
  for (const bool async : {false, true}) {
    std::vector<std::string> o = {"parallel.sequence_parallel=true"};
    if (async) o.push_back("parallel.tp_comm_overlap=async-grad");
    const StepSimulation sim = simulate_step_full(tiny(4, o));
    const StepGraph& g = sim.graph;
    int regathers = 0;
    for (std::size_t i = 0; i < g.info.size(); ++i) {
      if (g.rank_of_task[i] != 0 || step_task_label(g.info[i]).find("-regather") == std::string::npos) continue;
      ++regathers;
      const TaskId t(static_cast<TaskId::rep>(i));
      EXPECT_EQ(g.graph.comm_op(g.graph.task(t)).kind, CommKind::kAllGather);
      EXPECT_DOUBLE_EQ(g.graph.comm_op(g.graph.task(t)).bytes.value(), kTpBytes);
      EXPECT_EQ(g.graph.task(t).stream == sim.graph.rank_streams[0][0], !async) << step_task_label(g.info[i]);
      // The block's weight gradient (same layer and micro-batch, attention or FFN as labelled) starts after it.
      const bool mlp = step_task_label(g.info[i]).find("mlp") != std::string::npos;
      const StepOp w = mlp ? StepOp::kFfnWgrad : StepOp::kAttnWgrad;
      const StepOp d = mlp ? StepOp::kFfnDgrad : StepOp::kAttnDgrad;
      int found = 0;
      for (std::size_t j = 0; j < g.info.size(); ++j) {
        if (g.rank_of_task[j] != 0 || g.info[j].layer != g.info[i].layer || g.info[j].mb != g.info[i].mb) continue;
        if (g.info[j].op == w) {
          ++found;
          EXPECT_GE(sim.run.tasks[j].start, sim.run.tasks[i].end);
        }
        // Beside the input gradient with async-grad: the dgrad does not wait for it.
        if (g.info[j].op != d) continue;
        if (async) {
          EXPECT_LT(sim.run.tasks[j].start, sim.run.tasks[i].end);
        } else {
          EXPECT_GE(sim.run.tasks[j].start, sim.run.tasks[i].end);
        }
      }
      EXPECT_EQ(found, 1) << step_task_label(g.info[i]);
    }
    EXPECT_EQ(regathers, 2 * 2 * 2);  // 2 blocks x 2 layers x 2 micro-batches
  }
  // No sequence parallelism, no re-gather.
  const StepSimulation plain = simulate_step_full(tiny(4));
  for (const StepTaskInfo& info : plain.graph.info) EXPECT_EQ(step_task_label(info).find("-regather"), std::string::npos);
}

TEST(TensorParallel, FullRecomputeRerunsTheForwardsAllReducesInTheBackward) {
  const Counts c = count(tp_tasks(simulate_step_full(tiny(2, {"training.recompute=full"})).graph));
  EXPECT_EQ((c.at({0, 0, false, CommKind::kAllReduce})), 2);
  EXPECT_EQ((c.at({0, 0, true, CommKind::kAllReduce})), 4);  // 2 of the re-run forward + 2 of the backward
}

TEST(TensorParallel, AllReduceOnNvlinkIsTheRingClosedFormInBothModels) {
  // TP4 in one DGX A100: a ring GPU -> NVSwitch -> GPU, one flow per link and direction, so
  // beta = NVLink per direction x achievable (A100: 300 GB/s x the catalog's fraction); NCCL's Simple
  // protocol at 12.6 MB (the fastest; its efficiency is 1) replaces the 6 steps' link latencies by its own:
  // base 8.4 us + 6 NVLink hops x 3.4 us = 28.8 us (protocol_model.cpp), so
  // t = 28.8 us + 2(n-1) ceil((S/n) / beta) = 28.8 us + 6 x 3,145,728 B / beta.
  const Scenario s = tiny(4);
  const Bandwidth beta = s.cluster.gpu.nvlink_per_direction * s.cluster.gpu.nvlink_achievable;
  const Time latency = protocol_latency(NcclAlgorithm::kRing, NcclProtocol::kSimple, 6, 0);
  EXPECT_EQ(latency, Time::ns(28800));
  const Time expected = latency + ring_all_reduce_time(4, Bytes(kTpBytes), beta, Time::zero());
  const double chunk_s = kTpBytes / 4 / beta.bytes_per_s();
  EXPECT_NEAR(expected.seconds(), 28.8e-6 + 6 * chunk_s, 6e-12);
  for (const char* network : {"analytic", "flow"}) {
    const StepSimulation sim = simulate_step_full(tiny(4, {std::string("simulation.network=") + network}));
    const auto tasks = tp_tasks(sim.graph);
    ASSERT_FALSE(tasks.empty());
    for (const TpTask& t : tasks) {
      const TaskTiming& tm = sim.run.tasks[t.index];
      // The flow model rounds each of its 6 steps up separately: within 1 ps per step.
      EXPECT_NEAR(static_cast<double>((tm.end - tm.start).count_ps()), static_cast<double>(expected.count_ps()), 6.0)
          << network;
    }
  }
}

TEST(TensorParallel, TpCommunicationLengthensTheStepByExactlyItsTime) {
  // TP8, DP1, PP1 on one node with comm_sms = 0: every task runs on the one compute stream, so charging
  // the TP collectives adds exactly their summed durations to the step.
  const StepSimulation sim = simulate_step_full(tiny(8));
  FixedCommModel free_comm(Time::zero());
  const RunResult zero = run(sim.graph.graph, sim.links, free_comm);
  Time tp_time;
  for (const TpTask& t : tp_tasks(sim.graph)) tp_time += sim.run.tasks[t.index].end - sim.run.tasks[t.index].start;
  EXPECT_GT(tp_time, Time::zero());
  EXPECT_GT(sim.result.step, zero.makespan);
  EXPECT_EQ(sim.result.step - zero.makespan, tp_time);
  const RankResult& r0 = sim.result.ranks[0];
  EXPECT_EQ(r0.by_category[static_cast<std::size_t>(StepCategory::kTensorParallel)], tp_time);
  EXPECT_EQ(r0.exposed_comm, tp_time);  // nothing computes beside a blocking collective
}

TEST(TensorParallel, TpOneAddsNothing) {
  for (const Scenario& s : {tiny(1), load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml")}) {
    const StepSimulation sim = simulate_step_full(s);
    EXPECT_TRUE(tp_tasks(sim.graph).empty()) << s.name;
    for (const RankResult& rr : sim.result.ranks)
      EXPECT_EQ(rr.by_category[static_cast<std::size_t>(StepCategory::kTensorParallel)], Time::zero());
    for (const std::string& n : sim.result.notes) EXPECT_EQ(n.rfind("TP", 0), std::string::npos) << n;
  }
}

TEST(TensorParallel, SequenceParallelismDividesNormDropoutAndResidualActivationsByTp) {
  // Korthikanti et al. 2022, Table 2 (docs/model.md), per layer, no recompute, s = 1024, b = 1,
  // h = 6144, a = 64, t = 4, in units of sbh = 6,291,456 bytes:
  //   without SP: 10 + 24/t + 5as/(ht) = 10 + 6 + 13.333 = 29.333
  //   with SP:    (34 + 5as/h) / t     = (34 + 53.333) / 4 = 21.833
  // SP saves 10 sbh (1 - 1/t) = 7.5 sbh = 47,185,920 bytes per layer. One more layer isolates a layer.
  auto per_mb = [](int layers, bool sp) {
    const Scenario s = tiny(4, {std::string("parallel.sequence_parallel=") + (sp ? "true" : "false")}, layers);
    return analyze(s).memory.stages.front().activations_per_micro_batch.value();
  };
  const double sbh = 1024.0 * 6144;
  const double layer_plain = per_mb(3, false) - per_mb(2, false);
  const double layer_sp = per_mb(3, true) - per_mb(2, true);
  EXPECT_NEAR(layer_plain / sbh, 10 + 6 + 5.0 * 64 * 1024 / (6144 * 4), 1e-9);
  EXPECT_NEAR(layer_sp / sbh, (34 + 5.0 * 64 * 1024 / 6144) / 4, 1e-9);
  EXPECT_NEAR(layer_plain - layer_sp, 47'185'920, 1e-3);
}

TEST(TensorParallel, SequenceParallelismNeedsTokensDivisibleByTp) {
  try {
    (void)tiny(4, {"parallel.sequence_parallel=true", "training.seq_len=1022"});
    FAIL() << "expected an input error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("parallel.sequence_parallel"), std::string::npos) << e.what();
  }
}

TEST(TensorParallel, TpAcrossNodesRidesInfinibandWithANote) {
  const StepSimulation sim = simulate_step_full(tiny(16));
  const auto tasks = tp_tasks(sim.graph);
  ASSERT_EQ(tasks.size(), 16u);
  const TaskGraph& g = sim.graph.graph;
  EXPECT_EQ(g.comm_group(g.comm_op(g.task(TaskId(static_cast<TaskId::rep>(tasks[0].index)))).group).size(), 16u);
  bool noted = false;
  for (const std::string& n : sim.result.notes) noted = noted || n.find("spanning 2 nodes over InfiniBand") != std::string::npos;
  EXPECT_TRUE(noted);
}

// A small DeepSeek-V3-shaped plan with TP2: 256 GPUs, PP4 x DP32 x TP2, EP32. The MoE block splits only
// its shared expert over TP, so it reduces like a dense FFN; without shared experts it reduces nothing.
TEST(TensorParallel, MoeBlocksReduceOnlyTheirTpSplitSharedExperts) {
  auto v3 = [](std::vector<std::string> more) {
    std::vector<std::string> o = {"cluster.nodes=32", "parallel.pp=4", "parallel.dp=32", "parallel.tp=2",
                                  "parallel.ep=32", "parallel.micro_batches=8", "training.global_batch=256",
                                  "training.ramp.start_sequences=0"};
    o.insert(o.end(), more.begin(), more.end());
    return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml", o);
  };
  // Stage 0 holds layers 0-15 (61 + MTP over 4 stages); layers 0-2 are dense, 3 on are MoE.
  const Counts with = count(tp_tasks(simulate_step_full(v3({})).graph));
  EXPECT_EQ((with.at({0, 0, false, CommKind::kAllReduce})), 2);
  EXPECT_EQ((with.at({3, 0, false, CommKind::kAllReduce})), 2);
  EXPECT_EQ((with.at({3, 0, true, CommKind::kAllReduce})), 2);
  const Counts without = count(tp_tasks(simulate_step_full(v3({"model.moe.shared_experts=0"})).graph));
  EXPECT_EQ((without.at({0, 0, false, CommKind::kAllReduce})), 2);
  EXPECT_EQ((without.at({3, 0, false, CommKind::kAllReduce})), 1);  // the attention block's only
  EXPECT_EQ((without.at({3, 0, true, CommKind::kAllReduce})), 1);
}

TEST(TensorParallel, FullFidelityGivesEachReplicaItsOwnTpGroup) {
  // TP2 x DP4 in one node, every DP replica in the graph: replica d's TP group is GPUs {2d, 2d + 1}.
  const StepSimulation sim = simulate_step_full(tiny(2, {"simulation.fidelity=full"}));
  const TaskGraph& g = sim.graph.graph;
  std::map<std::vector<std::int32_t>, int> groups;
  for (const Task& t : g.tasks()) {
    if (t.kind != TaskKind::kComm || static_cast<StepCategory>(t.category) != StepCategory::kTensorParallel) continue;
    const auto m = g.comm_group(g.comm_op(t).group);
    ++groups[std::vector<std::int32_t>(m.begin(), m.end())];
  }
  // 16 TP all-reduces per replica (as in the first test), on 4 distinct groups.
  EXPECT_EQ(groups, (std::map<std::vector<std::int32_t>, int>{{{0, 1}, 16}, {{2, 3}, 16}, {{4, 5}, 16}, {{6, 7}, 16}}));
}

TEST(TensorParallel, SameScenarioSameTraceBytes) {
  const Scenario s = tiny(4, {"parallel.sequence_parallel=true"});
  auto trace = [&] {
    std::ostringstream out;
    write_step_trace(out, simulate_step_full(s));
    return out.str();
  };
  const std::string a = trace();
  EXPECT_NE(a.find("tp reduce-scatter"), std::string::npos);
  EXPECT_EQ(a, trace());
}

}  // namespace
}  // namespace deepsim
