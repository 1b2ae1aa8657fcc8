// MoeEffects: how the routing of the MoE layers (sim/moe) enters the step. For each MoE layer:
//  - the busiest GPU of the EP group and its expert rows: its grouped GEMM sets the pace of the layer
//    (the combine waits for every GPU), so the stage's MLP time is computed for its token counts;
//  - dispatch and combine times from the actual per-token destinations (DeepEP forwarding, bottleneck
//    link, sim/net/all_to_all_bound.h): the hottest NIC or NVLink port sets the pace.
// Cost control: layers are represented by `layer_samples` distinct routing layers (MoE layer l uses
// sample l mod samples; each sample has its own popularity draw), expert counts come from the load
// model's aggregate mode for the full token count, and destinations from a per-token sample of
// `per_token_tokens` tokens per GPU whose link loads are scaled to the full count.
// Dynamics: before the simulated step the load model runs `warmup_steps` steps of its bias update and
// EPLB rebalancing (as configured), so the step sees the balance reached by then.
#pragma once

#include "sim/moe/router_memo.h"

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/time.h"
#include "sim/moe/routing_spec.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/scenario/scenario.h"

namespace deepsim {

struct LayerMoeEffect {
  std::vector<std::int64_t> busiest_gpu_expert_tokens;  // rows per local expert slot of the busiest GPU
  Time dispatch_forward;  // FP8 dispatch (DeepEP normal kernel, sim/net/deepep_kernels.h)
  Time bf16_all_to_all;   // forward combine and the backward of dispatch (BF16)
  Time combine_backward;  // the backward of combine: dispatch-shaped, FP8 (TR 3.3.3)
  double gpu_max_over_mean = 1;
  double node_max_over_mean = 1;
  double nodes_per_token = 0;
  double hottest_link_utilisation = 0;  // hottest link's bytes over the busiest link's time budget
  // Link loads of the layer's all-to-all per byte of a token copy, scaled to the full token count
  // (all_to_all_bound.h, indexed by EP rank): what the comm model times dispatch and combine from.
  AllToAllLoad unit_load;
};

struct MoeEffects {
  std::vector<LayerMoeEffect> samples;
  int first_moe_layer = 0;
  std::string description;
  [[nodiscard]] const LayerMoeEffect& of_layer(int model_layer) const {
    return samples[static_cast<std::size_t>(model_layer - first_moe_layer) % samples.size()];
  }
  [[nodiscard]] double mean_gpu_max_over_mean() const;
  [[nodiscard]] double mean_node_max_over_mean() const;
};

struct MoeEffectOptions {
  int layer_samples = 8;
  int per_token_tokens = 128;
  int warmup_steps = 0;
  RouterMemo* router_memo = nullptr;  // shares router draws between calls (not owned; no effect on results)
};

[[nodiscard]] MoeEffects moe_effects(const Scenario& s, const MoeRoutingSpec& spec, const EpGroupShape& group,
                                     const MoeEffectOptions& options);

}  // namespace deepsim
