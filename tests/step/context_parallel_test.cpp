// Context parallelism (Megatron-CP, ring attention) in the step: the ring's sends per attention layer
// (count, bytes, hop), per-rank FLOPs and activations divided by cp, cp = 1 changing nothing, input
// errors naming parallel.cp, the overlap of the ring with attention (hidden on a fast network, exposed
// on a slow one), and byte-identical result.json.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "sim/core/error.h"
#include "sim/report/result_json.h"
#include "sim/report/run_report.h"
#include "sim/scenario/loader.h"
#include "sim/step/comm_costs.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"
#include "sim/step/task_info.h"

namespace deepsim {
namespace {

// GPT-22B's shapes (hidden 6144, 64 heads of 96, MHA, GELU 4h, LayerNorm) cut to `layers` layers, flash
// attention, one sequence per micro-batch, two micro-batches, on one or more DGX A100 nodes (8 GPUs on
// NVSwitch), PP1 1F1B, no recompute, ZeRO-1. dp = GPUs / (tp x cp).
Scenario tiny(int cp, int tp = 1, std::vector<std::string> more = {}, int layers = 2, int seq_len = 1024) {
  const int nodes = tp * cp > 8 ? tp * cp / 8 : 1;
  const int dp = nodes * 8 / (tp * cp);
  std::vector<std::string> o = {"cluster.nodes=" + std::to_string(nodes),
                                "model.layers=" + std::to_string(layers),
                                "model.attention.core=flash",
                                "parallel.tp=" + std::to_string(tp),
                                "parallel.cp=" + std::to_string(cp),
                                "parallel.dp=" + std::to_string(dp),
                                "parallel.zero_stage=1",
                                "parallel.micro_batch_size=1",
                                "parallel.micro_batches=2",
                                "training.global_batch=" + std::to_string(2 * dp),
                                "training.seq_len=" + std::to_string(seq_len),
                                "training.recompute=none"};
  o.insert(o.end(), more.begin(), more.end());
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/22b-full.yaml", o);
}

struct CpTask {
  std::size_t index;
  bool backward;
  int layer, mb;
  std::string label;
};

// The CP ring sends of replica 0's ranks.
std::vector<CpTask> cp_tasks(const StepGraph& g) {
  std::vector<CpTask> out;
  const auto tasks = g.graph.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    if (t.kind != TaskKind::kComm || static_cast<StepCategory>(t.category) != StepCategory::kContextParallel) continue;
    if (g.rank_of_task[i] < 0) continue;
    const std::string label = step_task_label(g.info[i]);
    out.push_back({i, label.find("-bwd") != std::string::npos, g.info[i].layer, g.info[i].mb, label});
  }
  return out;
}

// The task whose label is exactly `label` (replica 0).
std::size_t task_named(const StepGraph& g, const std::string& label) {
  const auto tasks = g.graph.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i)
    if (g.rank_of_task[i] >= 0 && step_task_label(g.info[i]) == label) return i;
  ADD_FAILURE() << "no task " << label;
  return 0;
}

TEST(ContextParallel, RingSendsPerLayerAndTheirBytesByHand) {
  // cp - 1 = 3 sends forward and 3 backward per attention layer and micro-batch: 2 layers x 2 mb x 6 = 24.
  // Forward bytes: the rank's K and V: tokens/rank x kv_heads x head_dim x 2 (K, V) x 2 B
  //   = (1024 / 4) x 64 x 96 x 2 x 2 = 6,291,456; backward K, V, dK, dV: twice that.
  {
    const StepSimulation sim = simulate_step_full(tiny(4));
    const auto tasks = cp_tasks(sim.graph);
    ASSERT_EQ(tasks.size(), 24u);
    std::map<std::tuple<int, int, bool>, int> count;
    const TaskGraph& g = sim.graph.graph;
    for (const CpTask& t : tasks) {
      ++count[{t.layer, t.mb, t.backward}];
      const CommOp& op = g.comm_op(g.task(TaskId(static_cast<TaskId::rep>(t.index))));
      EXPECT_EQ(op.kind, CommKind::kRingShift);
      EXPECT_DOUBLE_EQ(op.bytes.value(), t.backward ? 12'582'912.0 : 6'291'456.0) << t.label;
      // One shift of the whole ring {0, 1, 2, 3} (stride tp = 1): every CP rank to the next at once.
      const auto ring = g.comm_group(op.group);
      EXPECT_EQ(std::vector<std::int32_t>(ring.begin(), ring.end()), (std::vector<std::int32_t>{0, 1, 2, 3}));
      // On the comm stream, beside the attention steps on the compute stream.
      EXPECT_EQ(g.task(TaskId(static_cast<TaskId::rep>(t.index))).stream, sim.graph.rank_streams[0][1]);
    }
    for (int layer = 0; layer < 2; ++layer)
      for (int mb = 0; mb < 2; ++mb)
        for (const bool bwd : {false, true}) EXPECT_EQ((count[{layer, mb, bwd}]), 3);
  }
  {
    // TP2 x CP2: kv heads per TP rank 32, tokens per rank 512: 512 x 32 x 96 x 4 = 6,291,456 forward.
    // The ring of (d 0, t 0) is GPUs {0, 2}: hops 0 -> 2 and 2 -> 0.
    const StepSimulation sim = simulate_step_full(tiny(2, 2));
    const auto tasks = cp_tasks(sim.graph);
    ASSERT_EQ(tasks.size(), 8u);  // 2 layers x 2 mb x (1 + 1)
    const TaskGraph& g = sim.graph.graph;
    const CommOp& op = g.comm_op(g.task(TaskId(static_cast<TaskId::rep>(tasks[0].index))));
    EXPECT_DOUBLE_EQ(op.bytes.value(), 6'291'456.0);
    const auto hop = g.comm_group(op.group);
    EXPECT_EQ(std::vector<std::int32_t>(hop.begin(), hop.end()), (std::vector<std::int32_t>{0, 2}));
  }
}

TEST(ContextParallel, MlaExchangesEachHeadsKAndV) {
  // DeepSeek-V3's MLA: 128 heads of K (128 nope + 64 rope) and V (128), BF16: 2 x 128 x 320 = 81,920 B a
  // token per TP rank; TP2 halves the heads. GQA with 8 KV heads of 128 at TP4: 2 KV heads, 1,024 B.
  const Scenario v3 = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml");
  EXPECT_DOUBLE_EQ(cp_kv_bytes_per_token(v3.model, 1), 81'920.0);
  EXPECT_DOUBLE_EQ(cp_kv_bytes_per_token(v3.model, 2), 40'960.0);
  ModelSpec gqa = v3.model;
  gqa.attention.kind = AttentionKind::kGqa;
  gqa.attention.kv_heads = 8;
  gqa.attention.head_dim = 128;
  EXPECT_DOUBLE_EQ(cp_kv_bytes_per_token(gqa, 4), 1'024.0);
  EXPECT_DOUBLE_EQ(cp_kv_bytes_per_token(gqa, 16), 512.0);  // fewer KV heads than tp: one replicated
}

TEST(ContextParallel, RecomputeRerunsTheForwardRing) {
  // Full recompute: the backward re-runs the core's forward, its ring included: 3 + 3 sends in the
  // backward of every layer and micro-batch (forward-sized, then backward-sized), 3 in the forward.
  const StepSimulation sim = simulate_step_full(tiny(4, 1, {"training.recompute=full"}));
  int rerun = 0, bwd = 0, fwd = 0;
  for (const CpTask& t : cp_tasks(sim.graph)) {
    if (t.label.find("kv-rerun") != std::string::npos) ++rerun;
    else if (t.backward) ++bwd;
    else ++fwd;
  }
  EXPECT_EQ(fwd, 12);
  EXPECT_EQ(rerun, 12);
  EXPECT_EQ(bwd, 12);
}

// Sum of FLOPs of replica 0's rank-0 tasks of `op` for layer 0, micro-batch 0.
double layer_flops(const StepGraph& g, StepOp op) {
  double f = 0;
  for (std::size_t i = 0; i < g.info.size(); ++i)
    if (g.rank_of_task[i] == 0 && g.info[i].op == op && g.info[i].layer == 0 && g.info[i].mb == 0)
      f += g.info[i].flops.value();
  return f;
}

TEST(ContextParallel, PerRankFlopsAreDividedByCp) {
  // Each rank holds seq / cp tokens: every GEMM, norm and elementwise op does 1/cp of the work, and the
  // load-balanced causal split gives its attention core 1/cp of the causal pairs. So the whole layer's
  // FLOPs on a rank are the cp = 1 figure / cp.
  const StepSimulation one = simulate_step_full(tiny(1));
  const StepSimulation four = simulate_step_full(tiny(4));
  for (const StepOp op : {StepOp::kAttnFwd, StepOp::kAttnDgrad, StepOp::kAttnWgrad, StepOp::kFfnFwd, StepOp::kFfnDgrad}) {
    const double a = layer_flops(one.graph, op), b = layer_flops(four.graph, op);
    ASSERT_GT(a, 0) << to_string(op);
    EXPECT_NEAR(b * 4, a, a * 1e-12) << to_string(op);
  }
  // The core itself by hand: pairs = 64 heads x 1024^2 / 2 (causal) / 4 (cp); forward 2 x pairs x (96 + 96)
  // in four equal ring steps.
  const double pairs = 64.0 * 1024 * 1024 / 2 / 4;
  const TaskGraph& g = four.graph.graph;
  for (int k = 0; k < 4; ++k) {
    const std::size_t i = task_named(four.graph, "attn-kv L0 step" + std::to_string(k) + " mb0 s0");
    EXPECT_DOUBLE_EQ(four.graph.info[i].flops.value(), 2 * pairs * 192 / 4) << k;
    EXPECT_EQ(g.task(TaskId(static_cast<TaskId::rep>(i))).stream, four.graph.rank_streams[0][0]);
  }
}

TEST(ContextParallel, ActivationsAreDividedByCpParametersAreNot) {
  // With flash attention every saved tensor is proportional to the rank's tokens: activations / cp.
  // Parameters and gradients are whole on every CP rank; ZeRO-1 shards the optimizer over dp x cp, which
  // is 8 in both plans (DP8 against DP2 x CP4), so the states are equal too.
  const StageMemory a = analyze(tiny(1)).memory.stages.front();
  const StageMemory b = analyze(tiny(4)).memory.stages.front();
  EXPECT_NEAR(b.activations_per_micro_batch.value() * 4, a.activations_per_micro_batch.value(),
              a.activations_per_micro_batch.value() * 1e-12);
  EXPECT_EQ(b.dense_params, a.dense_params);
  EXPECT_DOUBLE_EQ(b.weights.value(), a.weights.value());
  EXPECT_DOUBLE_EQ(b.gradients.value(), a.gradients.value());
  EXPECT_DOUBLE_EQ(b.optimizer_states.value(), a.optimizer_states.value());
  // By hand: AdamW's FP32 moments (bf16 recipe: 2 x 4 B) of the dense parameters, sharded over dp x cp = 8.
  EXPECT_NEAR(b.optimizer_states.value(), 8.0 * static_cast<double>(b.dense_params) / 8, 8.0);
}

TEST(ContextParallel, CpOneChangesNothing) {
  const Scenario d = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml");
  EXPECT_EQ(d.parallel.cp, 1);
  const StepSimulation sim = simulate_step_full(d);
  // docs/architecture.md and README quote this step: parallel.cp must not move it.
  EXPECT_EQ(sim.result.step.count_ps(), Time::from_seconds(15.276632342812).count_ps());
  EXPECT_TRUE(cp_tasks(sim.graph).empty());
  for (const std::string& n : sim.result.notes) EXPECT_EQ(n.rfind("CP", 0), std::string::npos) << n;
  // An explicit cp = 1 is the same scenario.
  const Scenario e = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml",
                                          std::vector<std::string>{"parallel.cp=1"});
  EXPECT_EQ(simulate_step(e).step, sim.result.step);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ContextParallel, InputErrorsNameTheKey) {
  // seq_len not a multiple of 2 x cp.
  std::string e = error_of([] { (void)tiny(4, 1, {"training.seq_len=1020"}); });
  EXPECT_NE(e.find("parallel.cp"), std::string::npos) << e;
  EXPECT_NE(e.find("2 x cp = 8"), std::string::npos) << e;
  // Ring attention needs the flash core.
  e = error_of([] { (void)tiny(2, 1, {"model.attention.core=unfused"}); });
  EXPECT_NE(e.find("parallel.cp"), std::string::npos) << e;
  EXPECT_NE(e.find("flash"), std::string::npos) << e;
  // tp x cp = 3 on 8 GPUs per node: neither a divisor nor a multiple (24 GPUs: 3 nodes, dp 8).
  e = error_of([] {
    (void)tiny(3, 1, {"cluster.nodes=3", "parallel.dp=8", "training.global_batch=16", "training.seq_len=1026"});
  });
  EXPECT_NE(e.find("parallel.cp"), std::string::npos) << e;
  EXPECT_NE(e.find("tp x cp = 3"), std::string::npos) << e;
  // The GPU count counts cp.
  e = error_of([] { (void)tiny(2, 1, {"parallel.dp=8", "training.global_batch=16"}); });
  EXPECT_NE(e.find("parallel.dp"), std::string::npos) << e;
  EXPECT_NE(e.find("pp x dp x tp x cp = 16"), std::string::npos) << e;
}

// Start and end of replica 0's task `label`.
std::pair<Time, Time> span(const StepSimulation& sim, const std::string& label) {
  const TaskTiming& t = sim.run.tasks[task_named(sim.graph, label)];
  return {t.start, t.end};
}

TEST(ContextParallel, RingHidesUnderAttentionOnAFastNetworkAndIsExposedOnASlowOne) {
  // CP4, 2048 tokens: each forward ring step's attention is 1/4 of the rank's core. Step k >= 1 needs
  // the chunk of send k; send k + 1 waits for send k and for step k - 1 (two K/V buffers).
  //  - fast NVLink (1e5 GB/s): a send (latency + 12.6 MB at 1e5 GB/s) is shorter than a step, so the
  //    steps run back to back: step k starts when step k - 1 ends;
  //  - slow NVLink (1 GB/s): sends dominate, step k starts when send k ends, and the ring takes
  //    (cp - 1) x send + one step: the sends are the critical path, exposed.
  auto at = [](const char* gbps) {
    return simulate_step_full(tiny(4, 1, {std::string("cluster.gpu_overrides.nvlink_gbps_per_direction=") + gbps}, 2, 2048));
  };
  const StepSimulation fast = at("100000");
  const StepSimulation slow = at("1");
  auto step = [](int k) { return "attn-kv L0 step" + std::to_string(k) + " mb0 s0"; };
  auto send = [](int k) { return "cp-kv L0 step" + std::to_string(k) + " mb0 s0"; };
  for (int k = 1; k < 4; ++k) {
    const auto [s_fast, e_fast] = span(fast, send(k));
    EXPECT_LT(e_fast - s_fast, span(fast, step(k - 1)).second - span(fast, step(k - 1)).first) << k;
    EXPECT_EQ(span(fast, step(k)).first, span(fast, step(k - 1)).second) << k;
    EXPECT_EQ(span(slow, step(k)).first, span(slow, send(k)).second) << k;
  }
  const Time send_time = span(slow, send(1)).second - span(slow, send(1)).first;
  const Time step_time = span(slow, step(3)).second - span(slow, step(3)).first;
  EXPECT_EQ(span(slow, step(3)).second - span(slow, step(0)).first, send_time * 3 + step_time);
  const auto cp_of = [](const StepSimulation& s) {
    return s.result.ranks[0].by_category[static_cast<std::size_t>(StepCategory::kContextParallel)];
  };
  EXPECT_GT(cp_of(slow), cp_of(fast));
  EXPECT_GT(slow.result.step, fast.result.step);
  // The slow ring's exposed time: at least (send - step) for every ring step, 2 layers x 2 mb x 3 steps
  // forward alone.
  EXPECT_GE(slow.result.ranks[0].exposed_comm, (send_time - step_time) * 12);
}

TEST(ContextParallel, ResultJsonIsByteIdenticalTwice) {
  const Scenario s = tiny(4, 2, {}, 2);
  auto once = [&] {
    const RunReport r = make_run_report(
        s, [](const Scenario& x) { return simulate_step(x); },
        [](const ClusterSpec&) { return NetworkInventory{16, 10, 64, 32}; }, "0.0.0-test");
    return result_json(r).dump(2);
  };
  const std::string a = once();
  EXPECT_EQ(a, once());
  EXPECT_NE(a.find("\"context_parallel\""), std::string::npos);
  EXPECT_NE(a.find("\"cp\": 4"), std::string::npos);
}

}  // namespace
}  // namespace deepsim
