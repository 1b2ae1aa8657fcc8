// CommCosts: the communication of one step as typed ops for the step graph (StepInputs), plus the
// fabric and the CollectivePlanner that the run's CommModel times them on. No durations: the comm
// model (analytic closed forms or flows, `simulation.network`) times every op when it runs.
//  - MoE dispatch / combine of an EP group: a routing handle per (EP group) or per MoE layer sample,
//    the link loads of a routing sample (sim/net/token_routing.h, all_to_all_bound.h): forward dispatch
//    FP8 + scales per token copy, forward combine and both backward all-to-alls BF16.
//  - TP collectives (tp > 1): the TP group of each rank (placement.h: tp consecutive GPUs; inside a node
//    on NVLink, or whole nodes over InfiniBand, said in a note), S = micro_batch x seq_len x hidden x 2;
//    all-reduces, or reduce-scatter + all-gather pairs under sequence parallelism (step_inputs.h TpComm).
//  - Expert TP (expert_tp > 1): per MoE layer an all-gather of the dispatched tokens and a reduce-scatter of
//    the expert outputs inside the GPU's ETP group (placement.h: expert_tp consecutive GPUs), mirrored in
//    the backward, S = expert_tp x tokens x top_k x hidden x 2 (step_inputs.h EtpComm).
//  - CP ring (cp > 1): per attention layer cp - 1 ring shifts of the ranks' K/V chunks forward, K/V +
//    dK/dV backward, every CP rank to the next at once (step_inputs.h CpComm; cp_kv_bytes_per_token).
//  - Pipeline sends: send/recv of one micro-batch's activations (or gradients) between neighbours' GPUs,
//    routed on the cluster's fabric (ECMP).
//  - DP sync per rank and DP group (dense parameters: the rank's dp x cp GPUs; routed experts: the
//    dp x tp x cp / (ep x expert_tp) GPUs holding the same experts and ETP shard): ZeRO-1 reduce-scatter of FP32 gradients and all-gather
//    of BF16 parameters, ZeRO-0 all-reduce of the gradients; the planner picks ring or hierarchical.
//  - Optimizer: AdamW reads and writes its shard's master weights, moments and gradients (memory-bound).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/model/stage_assignment.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/net/collective_plan.h"
#include "sim/net/topology.h"
#include "sim/parallel/placement.h"
#include "sim/perf/kernel_model.h"
#include "sim/scenario/scenario.h"
#include "sim/step/moe_effects.h"
#include "sim/step/routing_sample_cache.h"
#include "sim/step/static_analysis.h"
#include "sim/step/step_inputs.h"

namespace deepsim {

struct CommCosts {
  std::shared_ptr<const Topology> topology;
  std::shared_ptr<CollectivePlanner> planner;  // routing handles of `moe` are registered here
  MoeComm moe;
  TpComm tp;
  CpComm cp;
  EtpComm etp;
  Bytes activation_bytes;
  std::vector<std::vector<DpSync>> dp_sync;
  std::vector<Time> optimizer;
  std::vector<std::string> notes;
};

// What one CP ring step moves per token the rank holds (BF16, per TP rank): K and V as the attention
// kernel reads them. GQA: kv_heads / tp (at least 1) x head_dim x 2 (K, V) x 2 B. MLA: the per-head K
// (nope + rope dims) and V of heads / tp heads, as Megatron-core hands them to Transformer Engine's
// ring attention after kv_b (the latent would be 576 x 2 B but needs kv_b re-run per chunk; docs/network.md).
[[nodiscard]] double cp_kv_bytes_per_token(const ModelSpec& m, int tp);

// The EP group of a scenario as the all-to-all model sees it (achievable NIC and NVLink, latency).
[[nodiscard]] EpGroupShape ep_group_shape(const Scenario& s);

// `groups` EP groups per stage get their own routing sample, drawn once per key when `routing_cache` (not
// owned) is given; with `effects`, each MoE layer's all-to-alls use its layer sample's routing instead.
[[nodiscard]] CommCosts comm_costs(const Scenario& s, const KernelModel& model, const StaticAnalysis& analysis,
                                   const Placement& placement, int ranks, int groups, const MoeEffects* effects,
                                   const std::vector<StageLayers>& layers, RoutingSampleCache* routing_cache = nullptr);

}  // namespace deepsim
