// Pipeline stages that share a node (docs/pipeline.md, placement.h): the sends between consecutive
// stages on one node are routed over NVLink by the topology and timed at NVLink's bandwidth, not the NIC's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/net/comm_closed_forms.h"
#include "sim/net/protocol_model.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"

namespace deepsim {
namespace {

// GPT-22B cut to 2 layers on one DGX A100 (8 GPUs on NVSwitch, HDR NICs), PP2 x DP4: stage 0 is GPUs
// 0-3 and stage 1 GPUs 4-7 of the same node. One 1024-token sequence per micro-batch.
Scenario two_stages_in_one_node(const std::string& network) {
  const std::vector<std::string> o = {"model.layers=2", "parallel.pp=2", "parallel.dp=4", "parallel.tp=1",
                             "parallel.micro_batch_size=1", "parallel.micro_batches=2", "parallel.schedule=1f1b",
                             "training.global_batch=8", "training.seq_len=1024", "training.recompute=none",
                             "simulation.network=" + network};
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/22b-full.yaml", o);
}

TEST(PipelinePlacement, SendBetweenStagesOfOneNodeIsTimedOnNvlink) {
  // S = micro-batch x seq x hidden x 2 B (BF16) = 1024 x 6144 x 2; GPU -> NVSwitch -> GPU: beta = NVLink
  // per direction x achievable; NCCL's Simple protocol (fastest at 12.6 MB) for its latency: base 8.4 us +
  // one NVLink hop 3.4 us (protocol_model.cpp), in place of the link's own 3.33 us; t = latency + S / beta.
  constexpr double kBytes = 1024.0 * 6144 * 2;
  for (const char* network : {"analytic", "flow"}) {
    const Scenario s = two_stages_in_one_node(network);
    const Bandwidth nvlink = s.cluster.gpu.nvlink_per_direction * s.cluster.gpu.nvlink_achievable;
    const Bandwidth nic = s.cluster.nic.line_rate * s.cluster.nic.achievable;
    const Time latency = protocol_latency(NcclAlgorithm::kRing, NcclProtocol::kSimple, 1, 0);
    EXPECT_EQ(latency, Time::ns(11800));
    const Time expected = send_recv_time(Bytes(kBytes), nvlink, latency);
    EXPECT_NEAR(expected.seconds(), 11.8e-6 + kBytes / nvlink.bytes_per_s(), 1e-11);
    const StepSimulation sim = simulate_step_full(s);
    const TaskGraph& g = sim.graph.graph;
    int sends = 0, exact = 0;
    const auto tasks = g.tasks();
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const Task& t = tasks[i];
      if (t.kind != TaskKind::kComm || static_cast<StepCategory>(t.category) != StepCategory::kPipelineP2P) continue;
      ++sends;
      const auto members = g.comm_group(g.comm_op(t).group);
      ASSERT_EQ(members.size(), 2U);
      EXPECT_EQ(members[0] / 8, members[1] / 8) << "both stages on node 0";
      const Time took = sim.run.tasks[i].end - sim.run.tasks[i].start;
      // Alone on its links it takes the closed form; in flow mode a send that overlaps another collective
      // (the last gradient send beside stage 1's DP reduce-scatter over GPUs 4-7) shares NVLink with it.
      bool alone = true;
      for (std::size_t j = 0; j < tasks.size(); ++j)
        if (j != i && tasks[j].kind == TaskKind::kComm && sim.run.tasks[j].start < sim.run.tasks[i].end &&
            sim.run.tasks[i].start < sim.run.tasks[j].end)
          alone = false;
      if (alone || std::string(network) == "analytic") {
        ++exact;
        EXPECT_NEAR(static_cast<double>(took.count_ps()), static_cast<double>(expected.count_ps()), 2.0) << network;
      } else {
        EXPECT_GE(took.count_ps(), expected.count_ps() - 2) << network;
      }
      EXPECT_LT(took.seconds(), kBytes / nic.bytes_per_s()) << "faster than the NIC could carry it";
    }
    // 2 micro-batches: an activation down and a gradient up each.
    EXPECT_EQ(sends, 4) << network;
    EXPECT_GE(exact, 3) << network;
  }
}

}  // namespace
}  // namespace deepsim
