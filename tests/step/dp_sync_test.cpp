// The DP sync as typed collectives: its groups, its buckets and their overlap, and the two comm models
// on a whole step.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/report/step_trace.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"

namespace deepsim {
namespace {

// 256 GPUs: PP4 x DP64, EP32, 8 micro-batches (a small DeepSeek-V3-shaped plan).
Scenario small_with(std::vector<std::string> more) {
  std::vector<std::string> o = {"cluster.nodes=32",         "parallel.pp=4",  "parallel.dp=64", "parallel.ep=32",
                                "parallel.micro_batches=8", "training.global_batch=512", "training.ramp.start_sequences=0"};
  o.insert(o.end(), more.begin(), more.end());
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml", o);
}

TEST(DpSync, DenseAndExpertParametersEachOnTheirOwnGroup) {
  // Dense parameters sync over the stage's 64 DP ranks; routed experts over the 64 / 32 = 2 GPUs that
  // hold the same experts (EP rank 0 of each EP group), 32 GPUs apart.
  const StepSimulation sim = simulate_step_full(small_with({}));
  std::set<std::size_t> sizes;
  const TaskGraph& g = sim.graph.graph;
  for (const Task& t : g.tasks()) {
    if (t.kind != TaskKind::kComm || static_cast<StepCategory>(t.category) != StepCategory::kDataParallel) continue;
    const auto members = g.comm_group(g.comm_op(t).group);
    sizes.insert(members.size());
    if (members.size() == 2) {
      EXPECT_EQ(members[1] - members[0], 32);
    }
  }
  EXPECT_EQ(sizes, (std::set<std::size_t>{2, 64}));
}

TEST(DpSync, BucketedGradientsLowerExposedDpTimeAndNeverRaiseTheStep) {
  for (const char* schedule : {"dualpipe", "1f1b"}) {
    const std::string sch = std::string("parallel.schedule=") + schedule;
    const StepResult flat = simulate_step(small_with({sch}));
    EXPECT_GT(flat.exposed_dp, Time::zero()) << schedule;
    for (const char* mb : {"25", "100", "400"}) {
      const StepResult b = simulate_step(small_with({sch, std::string("parallel.grad_bucket_mb=") + mb}));
      EXPECT_LT(b.exposed_dp, flat.exposed_dp) << schedule << " " << mb << " MB";
      EXPECT_LE(b.step, flat.step) << schedule << " " << mb << " MB";
    }
  }
}

TEST(DpSync, OverlappedParameterGatherHidesBehindTheForward) {
  const StepResult buckets = simulate_step(small_with({"parallel.grad_bucket_mb=100"}));
  const StepResult both = simulate_step(small_with({"parallel.grad_bucket_mb=100", "parallel.overlap_param_gather=true"}));
  EXPECT_LT(both.exposed_dp, buckets.exposed_dp);
  EXPECT_LE(both.step, buckets.step);
}

TEST(DpSync, FlowModeContendsButStaysNearTheAnalyticStep) {
  // The flow model runs every collective step as flows: alone they take the closed form, and sharing
  // NICs with pipeline sends and other collectives can only slow them, so the step is no shorter than
  // the analytic one (to rounding) and, on this plan, within a few percent of it.
  const StepResult analytic = simulate_step(small_with({"parallel.grad_bucket_mb=100"}));
  const StepResult flow = simulate_step(small_with({"parallel.grad_bucket_mb=100", "simulation.network=flow"}));
  EXPECT_GE(flow.step.seconds(), analytic.step.seconds() * (1 - 1e-9));
  EXPECT_LE(flow.step.seconds(), analytic.step.seconds() * 1.05);
  // Both report the traffic of every collective as link use.
  auto bytes = [](const StepResult& r, LinkClass c) {
    for (const auto& u : r.links)
      if (u.cls == c) return u.bytes;
    return 0.0;
  };
  for (const LinkClass c : {LinkClass::kNvlink, LinkClass::kNicLeaf}) {
    EXPECT_GT(bytes(analytic, c), 0) << to_string(c);
    EXPECT_NEAR(bytes(flow, c), bytes(analytic, c), 1e-6 * bytes(analytic, c)) << to_string(c);
  }
}

TEST(DpSync, SameScenarioSameTraceBytesInBothModes) {
  for (const char* network : {"analytic", "flow"}) {
    const Scenario s = small_with({"parallel.grad_bucket_mb=100", std::string("simulation.network=") + network});
    auto trace = [&] {
      const StepSimulation sim = simulate_step_full(s);
      std::ostringstream out;
      write_step_trace(out, sim);
      return out.str();
    };
    EXPECT_EQ(trace(), trace()) << network;
  }
}

}  // namespace
}  // namespace deepsim

namespace deepsim {
namespace {

// ZeRO-2 keeps only its gradient shard, so every micro-batch's backward reduce-scatters that micro-batch's
// gradients (DeepSpeed stage 2; docs/pipeline.md): 8 micro-batches move 8 x the gradient bytes ZeRO-1
// moves once after the last backward, with the optimizer after the last of them. The parameter
// all-gathers stay once per step.
TEST(DpSync, ZeroTwoReduceScattersEveryMicroBatch) {
  struct Totals {
    double rs = 0, ag = 0;
    int rs_tasks = 0;
  };
  auto totals = [](const StepSimulation& sim) {
    Totals t;
    const TaskGraph& g = sim.graph.graph;
    for (const Task& task : g.tasks()) {
      if (task.kind != TaskKind::kComm || static_cast<StepCategory>(task.category) != StepCategory::kDataParallel) continue;
      const CommOp& op = g.comm_op(task);
      if (op.kind == CommKind::kReduceScatter) {
        t.rs += op.bytes.value();
        ++t.rs_tasks;
      }
      if (op.kind == CommKind::kAllGather) t.ag += op.bytes.value();
    }
    return t;
  };
  for (const char* bucket : {"0", "100"}) {
    const std::string b = std::string("parallel.grad_bucket_mb=") + bucket;
    // 1F1B: each rank's one chunk sees all 8 micro-batches (DualPipe's two chunks split them).
    const Totals one = totals(simulate_step_full(small_with({b, "parallel.schedule=1f1b", "parallel.zero_stage=1"})));
    const Totals two = totals(simulate_step_full(small_with({b, "parallel.schedule=1f1b", "parallel.zero_stage=2"})));
    ASSERT_GT(one.rs, 0) << bucket;
    EXPECT_NEAR(two.rs, 8 * one.rs, 1e-6 * two.rs) << bucket;
    EXPECT_EQ(two.rs_tasks, 8 * one.rs_tasks) << bucket;
    EXPECT_DOUBLE_EQ(two.ag, one.ag) << bucket;
  }
}

}  // namespace
}  // namespace deepsim
