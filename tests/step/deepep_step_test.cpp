// DeepEP's kernels in the training step (issue 12 item 7; docs/network.md "DeepEP at kernel level"):
//  - normal kernels: the notify kernel before each dispatch / combine (two barriers before a forward
//    dispatch, one before every other pass) and the comm SMs' copies beside the links;
//  - low-latency kernels (parallel.deepep_mode: low-latency): a message per (token, expert) selection over
//    RDMA, no SMs held, timed as R25's formula.
// Scenario: 2 nodes of 8 H100, one stage, EP16 across both nodes (so the all-to-alls cross InfiniBand).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/hw/catalog.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/net/deepep_kernels.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"

namespace deepsim {
namespace {

Scenario ep16(std::vector<std::string> more = {}) {
  std::vector<std::string> o = {"parallel.pp=1",          "parallel.dp=16",         "parallel.ep=16",
                                "parallel.micro_batches=2", "training.global_batch=32", "model.layers=4",
                                "training.seq_len=1024"};
  o.insert(o.end(), more.begin(), more.end());
  return load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/examples/small-h100.yaml", o);
}

struct A2a {
  CommKind kind;
  CommPass pass;
  Time took;
  std::int32_t sms;
};

std::vector<A2a> all_to_alls(const StepSimulation& sim) {
  std::vector<A2a> out;
  const TaskGraph& g = sim.graph.graph;
  const auto tasks = g.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i].kind != TaskKind::kComm) continue;
    const CommOp& op = g.comm_op(tasks[i]);
    if (op.kind != CommKind::kDispatch && op.kind != CommKind::kCombine) continue;
    out.push_back({op.kind, op.pass, sim.run.tasks[i].end - sim.run.tasks[i].start, op.sms});
  }
  return out;
}

TEST(DeepEpStep, ForwardDispatchPaysOneMoreNotifyBarrierThanTheBackwardOfCombine) {
  // Both are dispatch-shaped FP8 transfers of the same routing and bytes, so links and SM copies are the
  // same; the forward dispatch's notify is 2 x (IB cross-leaf + NVLink hop), the backward's 1 x.
  for (const char* network : {"analytic", "flow"}) {
    const Scenario s = ep16({std::string("simulation.network=") + network});
    const StepSimulation sim = simulate_step_full(s);
    const Time barrier = s.cluster.nic.latency_cross_leaf + nvlink_hop_latency();
    Time fwd, bwd;
    for (const A2a& a : all_to_alls(sim)) {
      if (a.kind != CommKind::kDispatch) continue;
      (a.pass == CommPass::kForward ? fwd : bwd) = a.took;
      EXPECT_EQ(a.sms, s.parallel.comm_sms);
    }
    ASSERT_GT(fwd, Time::zero()) << network;
    ASSERT_GT(bwd, Time::zero()) << network;
    if (std::string(network) == "analytic") {
      EXPECT_EQ(fwd - bwd, barrier) << network;
    } else {  // other traffic in flight shares the links; the notify still adds at least its barrier
      EXPECT_GE(fwd - bwd + Time::ns(1), barrier) << network;
    }
  }
}

TEST(DeepEpStep, FewCommSmsMakeTheAllToAllsSmBound) {
  // With 20 SMs the EP16 dispatch is link-bound (the SMs copy 20 x r_sm, above what the NICs carry); with
  // 2 SMs it is bound by the copies: t = notify + latency + busiest GPU's copies / (2 x r_sm) (the
  // planner's figure is held to deepep_pass_time() in tests/net/comm_model_test.cpp).
  const StepSimulation wide = simulate_step_full(ep16());
  const StepSimulation narrow = simulate_step_full(ep16({"parallel.comm_sms=2"}));
  const auto a = all_to_alls(wide), b = all_to_alls(narrow);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_GT(b[i].took, a[i].took) << "2 SMs copy slower than the links carry";
    EXPECT_EQ(b[i].sms, 2);
  }
  // SM-bound, the copy part scales with 1 / SMs: t(1 SM) - c = 2 (t(2 SMs) - c), c the notify (two
  // barriers before a forward dispatch, one otherwise) plus the routing latency (one barrier: EP16 spans
  // nodes), a barrier being IB cross-leaf + NVLink hop; each time rounded up to the picosecond once.
  const Scenario one_sm = ep16({"parallel.comm_sms=1"});
  const auto c1 = all_to_alls(simulate_step_full(one_sm));
  ASSERT_EQ(c1.size(), b.size());
  const Time barrier = one_sm.cluster.nic.latency_cross_leaf + nvlink_hop_latency();
  for (std::size_t i = 0; i < b.size(); ++i) {
    const Time c = barrier * ((b[i].kind == CommKind::kDispatch && b[i].pass == CommPass::kForward) ? 3 : 2);
    const Time twice = (b[i].took - c) * 2;
    const Time once = c1[i].took - c;
    EXPECT_LE(twice > once ? twice - once : once - twice, Time::ps(2)) << to_string(b[i].kind);
  }
  EXPECT_GT(narrow.result.step, wide.result.step);
}

TEST(DeepEpStep, LowLatencyKernelsAreTimedAsRdmaMessagesAndHoldNoSms) {
  // R25's formula per GPU: t = IB latency + (1 - 1/EP) x tokens x top_k x message / NIC; 1024 tokens per
  // micro-batch, top-8, EP16: dispatch messages 7168 + 224 + 16 = 7408 B, combine 14,336 B.
  const Scenario s = ep16({"parallel.deepep_mode=low-latency"});
  const StepSimulation sim = simulate_step_full(s);
  const Bandwidth nic = s.cluster.nic.line_rate * s.cluster.nic.achievable;
  const Time latency = s.cluster.nic.latency_cross_leaf;
  const Time dispatch = deepep_low_latency_time(16, 1024, 8, 7408, nic, latency);
  const Time combine = deepep_low_latency_time(16, 1024, 8, 14336, nic, latency);
  EXPECT_EQ(latency, Time::ns(3700));  // one RDMA traversal across leaves (the catalog's CX7)
  EXPECT_NEAR(dispatch.seconds(), 3.7e-6 + 15.0 / 16 * 1024 * 8 * 7408 / nic.bytes_per_s(), 1e-9);
  int seen = 0;
  for (const A2a& a : all_to_alls(sim)) {
    ++seen;
    EXPECT_EQ(a.sms, 0) << "the low-latency kernels' receive hook holds no SMs";
    const Time expected = a.kind == CommKind::kDispatch ? dispatch : combine;
    EXPECT_LE(a.took > expected ? a.took - expected : expected - a.took, Time::ps(2)) << to_string(a.kind);
  }
  EXPECT_GT(seen, 0);
  // The low-latency kernels send 8 messages a token where the normal ones send one per destination node:
  // on EP16 over 2 nodes they move more bytes over IB and the all-to-alls take longer.
  const auto normal = all_to_alls(simulate_step_full(ep16()));
  ASSERT_EQ(normal.size(), all_to_alls(sim).size());
  EXPECT_GT(all_to_alls(sim).front().took, normal.front().took);
}

TEST(DeepEpStep, LowLatencyOnOneNodeIsAnInputErrorNamingTheKey) {
  std::string what;
  try {
    (void)load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/examples/small-h100.yaml",
                             std::vector<std::string>{"cluster.nodes=1", "parallel.pp=1", "parallel.dp=8",
                                                      "training.global_batch=64", "parallel.deepep_mode=low-latency"});
  } catch (const InputError& e) {
    what = e.what();
  }
  EXPECT_NE(what.find("parallel.deepep_mode"), std::string::npos) << what;
  EXPECT_NE(what.find("low-latency"), std::string::npos) << what;
}

}  // namespace
}  // namespace deepsim
