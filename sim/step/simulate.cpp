#include "sim/step/simulate.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/hw/catalog.h"
#include "sim/net/analytic_comm_model.h"
#include "sim/net/flow_comm_model.h"
#include "sim/net/flow_run.h"
#include "sim/model/param_count.h"
#include "sim/model/stage_assignment.h"
#include "sim/parallel/placement.h"
#include "sim/parallel/schedules.h"
#include "sim/scenario/source_map.h"
#include "sim/perf/kernel_model_factory.h"
#include "sim/perf/roofline_model.h"
#include "sim/step/comm_costs.h"
#include "sim/step/kernel_sources.h"
#include "sim/step/moe_effects.h"
#include "sim/step/stage_costs.h"
#include "sim/step/static_analysis.h"
#include "sim/step/step_metrics.h"
#include "sim/step/step_timeline.h"

namespace deepsim {
namespace {

template <class T>
const T& must(const Result<T>& r, const Scenario& s, const char* key) {
  if (!r.ok()) throw InputError(s.pos_of(key), key, r.error());
  return r.value();
}

int stage_count(const Schedule& sched) { return sched.routes.front().size(); }

}  // namespace

std::unique_ptr<KernelModel> kernel_model_for(const Scenario& s) {
  return make_kernel_model(s.cluster.gpu, s.calibration.profile, s.source_file, s.pos_of("calibration.profile"));
}

bool moe_routing_configured(const Scenario& s) {
  return s.model.is_moe() && s.parallel.ep > 1 &&
         (s.moe.source != LoadSource::kUniform || s.moe.eplb.policy != EplbPolicy::kNone);
}

static StepSimulation simulate_unchecked(const Scenario& s, const StepOptions& options) {
  const Placement placement = must(Placement::make(s.parallel, s.cluster), s, "parallel");
  const Schedule schedule = must(make_schedule(s.parallel), s, "parallel.schedule");
  const std::unique_ptr<KernelModel> model = kernel_model_for(s);
  const ModelSpec& m = s.model;
  const std::vector<StageLayers> layers = assign_layers(m, stage_count(schedule));

  StageCostContext ctx = stage_cost_context(s);

  std::optional<MoeEffects> effects;
  std::optional<MoeRoutingSpec> routing = options.routing;
  int warmup = options.warmup_steps;
  if (!routing && moe_routing_configured(s)) {
    routing = s.moe;
    warmup = s.moe_warmup_steps;
  }
  if (routing && m.is_moe() && s.parallel.ep > 1) {
    MoeEffectOptions eo;
    eo.warmup_steps = warmup;
    effects = moe_effects(s, *routing, ep_group_shape(s), eo, options.routing_cache);
    ctx.expert_tokens = [&effects](int, int layer) { return effects->of_layer(layer).busiest_gpu_expert_tokens; };
  }

  StepInputs in;
  in.stages = stage_costs(m, layers, *model, ctx);
  for (GpuId g : placement.pipeline(0, 0)) in.rank_gpu.push_back(static_cast<int>(g.value()));
  in.gpu_sms = s.cluster.gpu.sms;
  in.comm_sms = s.parallel.comm_sms;
  const bool full = s.simulation.fidelity == "full";
  int groups = 1;
  if (full) {
    // One pipeline per DP rank (TP and CP rank 0: TP ranks, and CP ranks under the load-balanced split,
    // run in lockstep); replica d sits at in-stage index d x cp x tp, in EP group (d x cp x tp) / ep
    // (expert TP: the EP group of that index, placement.h).
    in.replicas = s.parallel.dp;
    groups = placement.ep_groups_per_stage();
    for (int d = 0; d < s.parallel.dp; ++d) {
      std::vector<int> gpus;
      for (GpuId g : placement.pipeline(d, 0)) gpus.push_back(static_cast<int>(g.value()));
      in.replica_gpu.push_back(std::move(gpus));
      in.replica_group.push_back(placement.ep_group(placement.gpu({0, d, 0, 0})));
    }
  }

  StepSimulation sim;
  sim.analysis = analyze(s);
  const StaticAnalysis& sa = sim.analysis;
  CommCosts comm = comm_costs(s, *model, sa, placement, schedule.ranks, groups, effects ? &*effects : nullptr, layers,
                              options.routing_cache);
  if (effects) comm.notes.insert(comm.notes.begin(), effects->description);
  in.moe = comm.moe;
  in.tp = comm.tp;
  in.cp = comm.cp;
  in.etp = comm.etp;
  in.activation_bytes = comm.activation_bytes;
  in.dp_sync = comm.dp_sync;
  in.optimizer = comm.optimizer;
  in.grad_bucket_bytes = Bytes(s.parallel.grad_bucket_mb * 1e6);
  in.overlap_param_gather = s.parallel.overlap_param_gather && s.parallel.zero_stage >= 1;
  in.reduce_every_micro_batch = s.parallel.zero_stage >= 2;
  sim.links = comm.topology->links;

  sim.graph = build_step_graph(schedule, in);
  // Every comm task of the graph (all-to-alls, pipeline sends, DP syncs) is timed by one CommModel.
  std::unique_ptr<CommModel> comm_model;
  if (s.simulation.network == NetworkModel::kFlow)
    comm_model = std::make_unique<FlowCommModel>(*comm.planner);
  else
    comm_model = std::make_unique<AnalyticCommModel>(*comm.planner);
  RunOptions run_options;
  if (options.record_link_use) {
    sim.link_use = link_class_timeline(sim.links);
    run_options.link_use = &sim.link_use;
  }
  sim.run = run(sim.graph.graph, comm.topology->links, *comm_model, run_options);
  sim.result = step_metrics(sim.graph, sim.run, sim.links, in.rank_gpu);
  if (options.timeline) sim.result.timeline = step_timeline(sim.graph, sim.run);
  sim.result.kernel_model = model->describe();
  sim.result.kernel_sources = kernel_sources(m, layers, *model, ctx);
  sim.result.fidelity = full ? "full: " + std::to_string(in.replicas) + " DP replicas, " + std::to_string(groups) +
                                   " EP groups per stage with their own routing samples"
                             : "representative pipeline (DP rank 0); EP all-to-alls of its stages' EP groups";
  sim.result.notes = comm.notes;
  sim.result.notes.push_back(s.simulation.network == NetworkModel::kFlow
                                 ? "network: flow (every collective step as flows on the max-min network; concurrent traffic contends)"
                                 : "network: analytic (each collective's closed form as if alone; no contention between collectives)");
  if (effects) {
    sim.moe_gpu_max_over_mean = effects->mean_gpu_max_over_mean();
    sim.moe_node_max_over_mean = effects->mean_node_max_over_mean();
    for (const auto& l : effects->samples) sim.moe_nodes_per_token += l.nodes_per_token / static_cast<double>(effects->samples.size());
  }

  // Peak memory per rank from the static memory model (the rank runs stage r's chunks; DualPipe's
  // mirror stage is included in that model's parameter copies and in-flight counts).
  for (auto& rr : sim.result.ranks) {
    const auto idx = std::min(static_cast<std::size_t>(rr.rank), sa.memory.stages.size() - 1);
    rr.peak_memory = sa.memory.stages[idx].total();
    rr.activation_peak = sa.memory.stages[idx].activations;
  }
  return sim;
}

StepSimulation simulate_step_full(const Scenario& s, const StepOptions& options) {
  try {
    return simulate_unchecked(s, options);
  } catch (const TimeOverflow&) {
    // Valid but extreme inputs (a GPU or NIC override a million times too slow) make a step longer than
    // the engine's clock holds; say so instead of returning a wrapped time or a stuck-task report.
    // No single key is to blame; the cluster section (where such overrides live) is the likeliest.
    const SourcePos pos = s.sources ? s.sources->key_pos("cluster") : SourcePos{s.source_file, 0, 0};
    throw InputError(pos, "cluster", "the simulated step would last more than 106 days, past the engine's clock (int64 picoseconds)",
                     "check extreme values in cluster.gpu_overrides and cluster.nic_overrides (TFLOP/s, GB/s, Gb/s) and training.seq_len");
  }
}

StepResult simulate_step(const Scenario& s, const StepOptions& options) { return simulate_step_full(s, options).result; }

}  // namespace deepsim
