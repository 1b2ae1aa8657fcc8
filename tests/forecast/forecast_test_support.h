// A small scenario and a synthetic step function for the forecast, cost and report tests: step time is a
// closed form of the step's micro-batches and sequence length, so every figure can be derived by hand.
#pragma once

#include <string>

#include "sim/scenario/loader.h"
#include "sim/step/step_result.h"

namespace deepsim::test {

// 2 nodes x 8 H100 = 16 GPUs; pp 2 x dp 8, 1F1B; batch ramp 16 -> 64 sequences over 2^22 tokens.
inline std::string small_run_yaml() {
  return R"(schema: 1
name: small-run
cluster: {gpu: H100, nodes: 2, gpus_per_node: 8, nics_per_node: 8, nic: cx7-ib-400g,
          topology: {kind: mpft, switch_radix: 64, planes: 8}}
model: {preset: deepseek-v3, layers: 16, moe: {routed_experts: 64}, mtp_depth: 0}
parallel: {pp: 2, dp: 8, tp: 1, ep: 8, micro_batch_size: 1, micro_batches: 8, schedule: 1f1b}
training: {tokens: 16777216, seq_len: 4096, global_batch: 64, ramp: {start_sequences: 16, tokens: 4194304}}
pricing: {usd_per_gpu_hour: 2.5}
context_extension:
  stage1: {steps: 10, seq_len: 8192, global_batch: 32, plan: "parallel.schedule=zb1p"}
post_training:
  sft: {tokens: 1M, global_batch: 64}
failures: {gpu_mtbf_hours: 0, node_mtbf_hours: 0, checkpoint_write_s: 0}
forecast: {ramp_levels: 2}
)";
}

// step = micro_batches x seq_len x 1 ns + 1 ms (the optimizer), with two ranks and two link classes so
// reports have something to draw.
inline StepResult synthetic_step(const Scenario& s) {
  StepResult r;
  const auto mb = static_cast<Time::rep>(s.parallel.micro_batches);
  r.step = Time::ns(mb * s.training.seq_len) + Time::ms(1);
  r.bubble = r.step / 10;
  r.exposed_comm = r.step / 20;
  r.exposed_dp = r.step / 40;  // the DP sync's part of the exposed comm
  r.compute_busy = r.step - r.bubble - r.exposed_comm;
  for (int rank = 0; rank < s.parallel.pp; ++rank) {
    RankResult rr;
    rr.rank = rank;
    rr.gpu = rank * s.parallel.dp;
    rr.busy = r.compute_busy;
    rr.idle = r.step - rr.busy;
    rr.bubble = r.bubble;
    rr.exposed_comm = r.exposed_comm;
    rr.exposed_dp = r.exposed_dp;
    rr.by_category[static_cast<std::size_t>(StepCategory::kAttention)] = rr.busy / 2;
    rr.by_category[static_cast<std::size_t>(StepCategory::kExperts)] = rr.busy - rr.busy / 2;
    rr.peak_memory = Bytes(60e9 + 1e9 * rank);
    rr.activation_peak = Bytes(20e9);
    r.ranks.push_back(rr);
  }
  r.links.push_back({LinkClass::kNvlink, 16, 1e9, 0.4, 0.6});
  r.links.push_back({LinkClass::kNicLeaf, 16, 5e8, 0.2, 0.3});
  r.kernel_model = "synthetic: micro_batches x seq_len x 1 ns + 1 ms";
  r.fidelity = "synthetic";
  r.notes = {"a synthetic step for tests"};
  return r;
}

inline Scenario small_run(std::vector<std::string> overrides = {}) {
  return load_scenario_text(small_run_yaml(), "small-run.yaml", overrides);
}

}  // namespace deepsim::test
