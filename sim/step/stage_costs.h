// Per-stage compute costs of one micro-batch: the model's ops (sim/model) timed by a kernel model
// (sim/perf), split into the pieces the step graph overlaps: attention (with the router) before the
// MoE dispatch, experts or dense FFN between dispatch and combine; embedding before the first layer;
// head, loss and MTP after the last. Routed experts run as one grouped launch over the experts of one
// GPU, with that GPU's token counts (balanced: tokens x top_k x ep / routed_experts per expert).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/model/layer_ops.h"
#include "sim/model/model_spec.h"
#include "sim/model/stage_assignment.h"
#include "sim/perf/kernel_model.h"
#include "sim/step/step_inputs.h"

namespace deepsim {

struct Scenario;

struct StageCostContext {
  OpContext ops;             // tokens per micro-batch on one GPU, seq_len, tp, precision
  int ep = 1;                // expert-parallel degree
  int sms = 132;             // SMs the kernels are timed on
  // Token counts of the routed experts on the GPU that sets the pace of (stage, layer): empty function
  // means balanced routing.
  std::function<std::vector<std::int64_t>(int stage, int layer)> expert_tokens;
};

// The context of a scenario's step with balanced routing (the caller sets expert_tokens for skew):
// simulate_step_full() and calibrate/'s step predictor both start from it.
[[nodiscard]] StageCostContext stage_cost_context(const Scenario& s);

// Routed-expert token counts per local expert on one GPU under perfectly balanced routing.
[[nodiscard]] std::vector<std::int64_t> balanced_gpu_expert_tokens(const ModelSpec& m, std::int64_t tokens_per_gpu, int ep);

[[nodiscard]] std::vector<StageCost> stage_costs(const ModelSpec& m, const std::vector<StageLayers>& stages,
                                                 const KernelModel& model, const StageCostContext& c);

// Every op one micro-batch runs on a stage, exactly those stage_costs() times (embedding, each layer's
// attention and MLP pieces, head/MTP), for breakdowns by op family (calibrate/'s step predictor).
[[nodiscard]] std::vector<Op> stage_ops(const ModelSpec& m, const StageLayers& stage, const StageCostContext& c);

}  // namespace deepsim
