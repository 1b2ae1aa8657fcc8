// simulate_step: one training step of a scenario, end to end: placement, schedule, per-stage costs from
// the kernel model, MoE all-to-alls from the routing, pipeline sends on the network, ZeRO-1 DP sync and
// the optimizer; the engine runs the graph and step_metrics() reads it.
//
// Fidelity: the step is simulated for one *representative pipeline* (DP rank 0): every DP replica runs
// the same schedule on the same costs, and an all-to-all of an EP group couples the replicas of one stage,
// so each layer's all-to-all and expert time is that of its EP group, set by the group's busiest GPU
// and hottest link (docs/pipeline.md, "Fidelity"). Pipeline sends of other replicas use disjoint NICs.
#pragma once

#include <memory>
#include <string>

#include <optional>

#include "sim/engine/engine.h"
#include "sim/moe/routing_spec.h"
#include "sim/net/link.h"
#include "sim/perf/kernel_model.h"
#include "sim/scenario/scenario.h"
#include "sim/step/step_graph.h"
#include "sim/step/routing_sample_cache.h"
#include "sim/step/static_analysis.h"
#include "sim/step/step_result.h"

namespace deepsim {

struct StepSimulation {
  StepResult result;
  StaticAnalysis analysis;  // parameters, FLOPs, memory per stage and compute bounds of the same scenario
  // Per MoE layer sample: imbalance and all-to-all figures, when StepOptions::routing was given.
  double moe_gpu_max_over_mean = 1;
  double moe_node_max_over_mean = 1;
  double moe_nodes_per_token = 0;
  StepGraph graph;
  RunResult run;
  LinkTable links;
  // Link use over time, one channel per link class (link_class_timeline()), when
  // StepOptions::record_link_use asked for it; otherwise no channels.
  LinkUseTimeline link_use;
};

// The kernel model a scenario asks for (calibration.profile), or the roofline default.
[[nodiscard]] std::unique_ptr<KernelModel> kernel_model_for(const Scenario& s);
// True when the scenario's `moe:` section asks for the MoE load model (a source other than uniform
// random routing, or an EPLB policy).
[[nodiscard]] bool moe_routing_configured(const Scenario& s);

struct StepOptions {
  // Expert loads from the MoE load model (sim/moe) instead of uniform random routing: the busiest GPU's
  // expert rows and the per-token all-to-all of every MoE layer (sim/step/moe_effects.h).
  std::optional<MoeRoutingSpec> routing;
  int warmup_steps = 0;  // bias / EPLB dynamics run before the simulated step
  // Uniform routing samples kept across steps (routing_sample_cache.h); not owned, may be shared between
  // threads; null: drawn afresh. Results are the same either way.
  RoutingSampleCache* routing_cache = nullptr;
  // Record the step's link use over time per link class (StepSimulation::link_use, for trace.json's
  // utilisation counters). Off by default: sweeps and forecasts do not pay for it.
  bool record_link_use = false;
  // Fill StepResult::timeline (what each rank ran when, for reports and the GUI). The plan search, which
  // ranks steps by their figures only, turns it off.
  bool timeline = true;
};

// Throws InputError when the plan cannot be placed or scheduled.
[[nodiscard]] StepSimulation simulate_step_full(const Scenario& s, const StepOptions& options = {});
[[nodiscard]] StepResult simulate_step(const Scenario& s, const StepOptions& options = {});

}  // namespace deepsim
