// Expert tensor parallelism (parallel.expert_tp, Megatron-core's MoE parallel folding) in the step: the
// ETP collectives of every MoE layer (count, kind, bytes, group, order around the all-to-alls), the
// EP groups at stride expert_tp, the routed experts' memory divided by expert_tp, the expert GEMM shapes,
// expert_tp = 1 as the step without the key, and the input rules.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "sim/core/error.h"
#include "sim/model/expert_ops.h"
#include "sim/parallel/placement.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"
#include "sim/step/task_info.h"

namespace deepsim {
namespace {

// DeepSeek-V3 cut to 8 layers (3 dense, 5 MoE; no MTP) on 4 H800 nodes: PP2 x DP16, EP8, 1F1B, four
// micro-batches of one 4096-token sequence.
Scenario small(std::vector<std::string> more = {}) {
  std::vector<std::string> o = {"cluster.nodes=4",          "model.layers=8",          "model.mtp_depth=0",
                                "parallel.pp=2",            "parallel.dp=16",          "parallel.ep=8",
                                "parallel.schedule=1f1b",   "parallel.micro_batches=4", "training.global_batch=64",
                                "training.ramp.start_sequences=0"};
  o.insert(o.end(), more.begin(), more.end());
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml", o);
}

// S of every ETP collective with expert_tp = 2: expert_tp x tokens x top_k x hidden x 2 B
// = 2 x 4096 x 8 x 7168 x 2 = 939,524,096 B (the gathered tensor of received token copies, BF16).
constexpr double kEtp2Bytes = 2.0 * 4096 * 8 * 7168 * 2;

struct EtpTask {
  std::size_t index;
  StepOp op;
  bool backward;
  int layer, mb, rank;
};

std::vector<EtpTask> etp_tasks(const StepGraph& g) {
  std::vector<EtpTask> out;
  for (std::size_t i = 0; i < g.info.size(); ++i) {
    const StepOp op = g.info[i].op;
    if (op != StepOp::kEtpAllGather && op != StepOp::kEtpReduceScatter) continue;
    if (g.rank_of_task[i] < 0) continue;
    out.push_back({i, op, (g.info[i].label_flags & kLabelBwd) != 0, g.info[i].layer, g.info[i].mb, g.rank_of_task[i]});
  }
  return out;
}

const CommOp& op_of(const StepGraph& g, std::size_t i) {
  return g.graph.comm_op(g.graph.task(TaskId(static_cast<TaskId::rep>(i))));
}

TEST(ExpertTensorParallel, OneAllGatherAndOneReduceScatterPerMoeLayerForwardAndBackward) {
  const StepSimulation sim = simulate_step_full(small({"parallel.expert_tp=2"}));
  const auto tasks = etp_tasks(sim.graph);
  // 5 MoE layers (3..7) x 4 micro-batches x (AG + RS) x (forward, backward) = 80; dense layers none.
  ASSERT_EQ(tasks.size(), 80u);
  std::map<std::tuple<int, int, bool, StepOp>, int> c;
  for (const EtpTask& t : tasks) ++c[{t.layer, t.mb, t.backward, t.op}];
  for (int layer = 3; layer < 8; ++layer)
    for (int mb = 0; mb < 4; ++mb)
      for (const bool bwd : {false, true}) {
        EXPECT_EQ((c[{layer, mb, bwd, StepOp::kEtpAllGather}]), 1) << layer;
        EXPECT_EQ((c[{layer, mb, bwd, StepOp::kEtpReduceScatter}]), 1) << layer;
      }
  const TaskGraph& g = sim.graph.graph;
  for (const EtpTask& t : tasks) {
    const CommOp& op = op_of(sim.graph, t.index);
    EXPECT_EQ(op.kind, t.op == StepOp::kEtpAllGather ? CommKind::kAllGather : CommKind::kReduceScatter);
    EXPECT_DOUBLE_EQ(op.bytes.value(), kEtp2Bytes);
    EXPECT_EQ(op.dtype, CommDtype::kBf16);
    // Rank r runs on GPU (stage r, local 0): its ETP group is the two consecutive GPUs from there.
    const auto members = g.comm_group(op.group);
    const std::int32_t first = t.rank * 16;
    EXPECT_EQ(std::vector<std::int32_t>(members.begin(), members.end()), (std::vector<std::int32_t>{first, first + 1}));
    // On the comm stream, beside the all-to-alls (not blocking the compute stream).
    EXPECT_EQ(g.task(TaskId(static_cast<TaskId::rep>(t.index))).stream,
              sim.graph.rank_streams[static_cast<std::size_t>(t.rank)][1]);
    EXPECT_EQ(static_cast<StepCategory>(g.task(TaskId(static_cast<TaskId::rep>(t.index))).category),
              StepCategory::kTensorParallel);
  }
}

TEST(ExpertTensorParallel, CollectivesSitBetweenTheAllToAllsAndTheExperts) {
  const StepSimulation sim = simulate_step_full(small({"parallel.expert_tp=2"}));
  // Rank 1's tasks of layer 7 (an MoE layer of the last stage), micro-batch 0, in graph order: the
  // forward's dispatch, gather, experts, scatter, combine; the backward's combine-bwd, gather, expert
  // dgrad, scatter, dispatch-bwd.
  std::vector<std::string> order;
  for (std::size_t i = 0; i < sim.graph.info.size(); ++i) {
    const StepTaskInfo& t = sim.graph.info[i];
    if (sim.graph.rank_of_task[i] != 1 || t.mb != 0 || t.layer != 7) continue;
    switch (t.op) {
      case StepOp::kDispatch: case StepOp::kCombine: case StepOp::kDispatchBwd: case StepOp::kCombineBwd:
      case StepOp::kEtpAllGather: case StepOp::kEtpReduceScatter: case StepOp::kMoeFwd: case StepOp::kMoeDgrad:
        order.push_back(step_task_label(t));
        break;
      default: break;
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{"dispatch mb0 s1", "etp-ag L7 mb0 s1", "moe L7 mb0 s1", "etp-rs L7 mb0 s1",
                                             "combine mb0 s1", "combine-bwd mb0 s1", "etp-ag-bwd L7 mb0 s1",
                                             "moe-bwd L7 mb0 s1", "etp-rs-bwd L7 mb0 s1", "dispatch-bwd mb0 s1"}));
}

TEST(ExpertTensorParallel, EpGroupsAreEpGpusAtStrideExpertTp) {
  const Placement p = Placement::make(2, 16, 1, 8, 4, 8, 1, 2).value();
  EXPECT_EQ(p.ep_groups_per_stage(), 2);  // 16 GPUs of a stage / EP8: one per ETP rank
  const auto g0 = p.ep_group_members(0, 0), g1 = p.ep_group_members(0, 1);
  for (int r = 0; r < 8; ++r) {
    EXPECT_EQ(g0[static_cast<std::size_t>(r)].value(), static_cast<GpuId::rep>(2 * r));
    EXPECT_EQ(g1[static_cast<std::size_t>(r)].value(), static_cast<GpuId::rep>(2 * r + 1));
    EXPECT_EQ(p.ep_rank(g1[static_cast<std::size_t>(r)]), r);
    EXPECT_EQ(p.ep_group(g1[static_cast<std::size_t>(r)]), 1);
    EXPECT_EQ(p.etp_rank(g1[static_cast<std::size_t>(r)]), 1);
  }
  const auto etp = p.etp_group(GpuId(17));  // stage 1, local 1
  ASSERT_EQ(etp.size(), 2u);
  EXPECT_EQ(etp[0].value(), 16u);
  EXPECT_EQ(etp[1].value(), 17u);
  // An EP group of 8 at stride 2 covers two nodes, 4 GPUs on each.
  EXPECT_EQ(ep_gpus_per_node(8, 2, 8), 4);
  EXPECT_EQ(ep_gpus_per_node(4, 2, 8), 4);   // inside one node
  EXPECT_EQ(ep_gpus_per_node(8, 16, 8), 1);  // expert_tp over whole nodes: one GPU of the group per node
  EXPECT_EQ(ep_gpus_per_node(64, 1, 8), 8);  // expert_tp = 1: as before
}

TEST(ExpertTensorParallel, RoutedExpertMemoryPerGpuDividesByExpertTp) {
  const StaticAnalysis one = analyze(small());
  const StaticAnalysis two = analyze(small({"parallel.ep=4", "parallel.expert_tp=2"}));
  const StaticAnalysis four = analyze(small({"parallel.ep=4", "parallel.expert_tp=4"}));
  // Stage 1 holds layers 4..7 (four MoE layers); experts per GPU: 256 / 8 with EP8, 256 / 4 with EP4.
  // One routed expert: 3 x 7168 x 2048 = 44,040,192 parameters.
  constexpr double kExpert = 3.0 * 7168 * 2048;
  const auto& s1 = one.memory.stages[1];
  EXPECT_EQ(s1.expert_params, static_cast<std::int64_t>(4 * 256 / 8 * kExpert));
  // EP4 x ETP2: twice the experts per GPU, half of each: the same count; x ETP4: half of it.
  EXPECT_EQ(two.memory.stages[1].expert_params, static_cast<std::int64_t>(4 * 256 / 4 * kExpert / 2));
  EXPECT_EQ(four.memory.stages[1].expert_params, static_cast<std::int64_t>(4 * 256 / 4 * kExpert / 4));
  // Same EP: divided by expert_tp (the dense part unchanged).
  const StaticAnalysis ep4 = analyze(small({"parallel.ep=4"}));
  EXPECT_EQ(ep4.memory.stages[1].expert_params, 2 * two.memory.stages[1].expert_params);
  EXPECT_EQ(ep4.memory.stages[1].expert_params, 4 * four.memory.stages[1].expert_params);
  EXPECT_EQ(ep4.memory.stages[1].dense_params, four.memory.stages[1].dense_params);
  // ZeRO-1: an expert shard's holders are dp x tp x cp / (ep x expert_tp) = 16 / 8 = 2 with EP4 x ETP2, as
  // with EP8: master weights (FP32) dense / 16 + expert / 2.
  const double dense = static_cast<double>(two.memory.stages[1].dense_params);
  const double expert = static_cast<double>(two.memory.stages[1].expert_params);
  EXPECT_DOUBLE_EQ(two.memory.stages[1].master_weights.value(), 4 * (dense / 16 + expert / 2));
}

TEST(ExpertTensorParallel, ExpertGemmsSeeExpertTpTimesTheTokensAndASliceOfEachWeight) {
  const ModelSpec m = small().model;
  OpContext c{.tokens = 4096, .seq_len = 4096, .tp = 1, .precision = Precision::kFp8};
  const std::vector<std::int64_t> tokens = {100, 200, 0};
  const auto whole = grouped_expert_ops(m, tokens, c);
  c.expert_tp = 4;
  const auto split = grouped_expert_ops(m, tokens, c);
  ASSERT_EQ(whole.size(), split.size());
  Flops fw, fs;
  for (std::size_t k = 0; k < whole.size(); ++k) {
    if (whole[k].kind != OpKind::kGroupedGemm) continue;
    fw += whole[k].fwd;
    fs += split[k].fwd;
    EXPECT_EQ(split[k].params * 4, whole[k].params) << whole[k].name;
    EXPECT_EQ(split[k].gemm.m, 4 * whole[k].gemm.m) << whole[k].name;  // the mean tokens per expert
  }
  // gate_up N = 2 x 2048 / 4, down K = 2048 / 4; the GEMMs' FLOPs unchanged.
  ASSERT_EQ(split[1].name, "expert.gate_up");
  EXPECT_EQ(split[1].gemm.n, 1024);
  ASSERT_EQ(split[4].name, "expert.down");
  EXPECT_EQ(split[4].gemm.k, 512);
  EXPECT_DOUBLE_EQ(fs.value(), fw.value());
}

TEST(ExpertTensorParallel, OneIsTheStepWithoutTheKey) {
  // The default scenario (DeepSeek-V3 on 2048 H800) with and without parallel.expert_tp: 1.
  const std::string file = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml";
  const std::vector<std::string> none, one_key = {"parallel.expert_tp=1"};
  const StepResult base = simulate_step(load_scenario_file(file, none));
  const StepResult one = simulate_step(load_scenario_file(file, one_key));
  EXPECT_EQ(one.step, base.step);
  EXPECT_EQ(one.notes, base.notes);
  ASSERT_EQ(one.ranks.size(), base.ranks.size());
  for (std::size_t r = 0; r < base.ranks.size(); ++r) {
    EXPECT_EQ(one.ranks[r].exposed_comm, base.ranks[r].exposed_comm);
    EXPECT_EQ(one.ranks[r].peak_memory, base.ranks[r].peak_memory);
  }
  for (const std::string& n : base.notes) EXPECT_EQ(n.find("expert TP"), std::string::npos) << n;
}

TEST(ExpertTensorParallel, CostsTheStepAndSaysSoInANote) {
  const StepResult one = simulate_step(small({"parallel.ep=4"}));
  const StepResult two = simulate_step(small({"parallel.ep=4", "parallel.expert_tp=2"}));
  EXPECT_NE(two.step, one.step);
  bool noted = false;
  for (const std::string& n : two.notes) noted = noted || n.find("expert TP2 inside one node on NVLink") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(ExpertTensorParallel, FullFidelitySharesEachEtpGroupsCollectives) {
  // TP1: replicas 2k and 2k + 1 are one ETP group (GPUs 2k, 2k + 1 of each stage), so each of their ETP
  // collectives is one task of both: 8 groups per stage, each with its stage's collectives of the
  // representative pipeline.
  std::map<int, int> per_rank;
  for (const EtpTask& t : etp_tasks(simulate_step_full(small({"parallel.expert_tp=2"})).graph)) ++per_rank[t.rank];
  const StepSimulation sim = simulate_step_full(small({"parallel.expert_tp=2", "simulation.fidelity=full"}));
  std::map<std::vector<std::int32_t>, int> groups;
  const TaskGraph& g = sim.graph.graph;
  for (std::size_t i = 0; i < sim.graph.info.size(); ++i) {
    if (sim.graph.info[i].op != StepOp::kEtpAllGather && sim.graph.info[i].op != StepOp::kEtpReduceScatter) continue;
    const auto m = g.comm_group(op_of(sim.graph, i).group);
    ++groups[std::vector<std::int32_t>(m.begin(), m.end())];
  }
  EXPECT_EQ(groups.size(), 16u);
  for (const auto& [members, n] : groups) {
    ASSERT_EQ(members.size(), 2u);
    EXPECT_EQ(members[0] % 2, 0);
    EXPECT_EQ(members[1], members[0] + 1);
    EXPECT_EQ(n, per_rank[members[0] / 16]) << members[0];
  }
}

TEST(ExpertTensorParallel, BadExpertTpIsAnInputErrorNamingTheKey) {
  auto error_key = [](std::vector<std::string> more) {
    try {
      (void)small(std::move(more));
    } catch (const InputError& e) {
      return std::string(e.key()) + ": " + e.message();
    }
    return std::string("no error");
  };
  // EP8 x ETP4 = 32 does not divide a stage's 16 GPUs.
  EXPECT_EQ(error_key({"parallel.expert_tp=4"}).rfind("parallel.expert_tp: rule: expert_tp x ep lies inside one stage", 0), 0u);
  // 6 neither divides 8 GPUs per node nor is a multiple of them (an inner size of 1536 splits 6 ways).
  EXPECT_EQ(error_key({"parallel.ep=1", "parallel.expert_tp=6", "model.moe.expert_intermediate=1536"})
                .rfind("parallel.expert_tp: rule: an expert-TP group fits inside one node or is whole nodes", 0),
            0u);
  // 32 GPUs (whole nodes) would fit a node rule but not a 16-GPU stage.
  EXPECT_EQ(error_key({"parallel.ep=1", "parallel.expert_tp=32"}).rfind("parallel.expert_tp: rule: expert_tp x ep", 0), 0u);
  // An uneven split of the experts' inner size.
  EXPECT_EQ(error_key({"parallel.ep=1", "parallel.expert_tp=16", "model.moe.expert_intermediate=2040"})
                .rfind("parallel.expert_tp: model.moe.expert_intermediate = 2040", 0),
            0u);
  // A dense model has no routed experts to split.
  EXPECT_EQ(error_key({"model.moe.routed_experts=0", "parallel.ep=1", "parallel.expert_tp=2"})
                .rfind("parallel.expert_tp: expert_tp = 2 but the model is dense", 0),
            0u);
}

}  // namespace
}  // namespace deepsim
