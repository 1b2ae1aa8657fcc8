#include "calibrate/src/step_predictor.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "calibrate/src/device_info.h"
#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/model/stage_assignment.h"
#include "sim/scenario/loader.h"
#include "sim/step/op_timing.h"
#include "sim/step/simulate.h"
#include "sim/step/stage_costs.h"

namespace deepsim::calib {
namespace {

// The scenario text without an executor-only `exec:` section (the simulator's schema rejects it). Text
// without one is kept byte for byte, so scenario errors point at the run's own lines.
std::string simulator_yaml(const MeasuredRun& run) {
  YAML::Node root;
  try {
    root = YAML::Load(run.config_yaml);
  } catch (const YAML::ParserException& e) {
    throw InputError({run.file, 0, 0}, "config", "the run's scenario YAML does not parse: " + e.msg);
  }
  if (!root.IsMap() || !root["exec"]) return run.config_yaml;
  root.remove("exec");
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::string number(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

}  // namespace

Scenario scenario_for_run(const MeasuredRun& run, const std::string& profile) {
  if (run.config_yaml.empty())
    throw InputError({run.file, 0, 0}, "config", "the run carries no scenario to simulate",
                     "measured runs of deepsim-exec carry their scenario YAML in 'config'");
  const std::optional<GpuSpec> gpu = device_gpu_spec(run.device);
  if (!gpu)
    throw InputError({run.file, 0, 0}, "device.name", "'" + run.device.name + "' is not in the hardware catalog",
                     "the prediction needs the catalog entry of the GPU that ran (sim/hw/catalog.cpp)");
  std::vector<std::string> set = {
      "cluster.gpu=" + gpu->name,
      "cluster.gpu_overrides.sms=" + std::to_string(gpu->sms),
      "cluster.gpu_overrides.hbm_bandwidth_gbps=" + number(gpu->hbm_bandwidth.gb_per_s()),
      "cluster.gpu_overrides.bf16_dense_tflops=" + number(gpu->bf16_dense.per_s() / 1e12),
      "cluster.gpu_overrides.fp8_dense_tflops=" + number(gpu->fp8_dense.per_s() / 1e12),
  };
  if (!profile.empty()) set.push_back("calibration.profile=" + profile);
  return load_scenario_text(simulator_yaml(run), run.file + ":/config", set);
}

PredictedRun predict_with_step_simulator(const MeasuredRun& run, const std::string& profile) {
  const Scenario s = scenario_for_run(run, profile);
  const StepSimulation sim = simulate_step_full(s);
  const int stage = run.rank / s.parallel.dp;  // deepsim-exec: rank = stage x dp + dp rank
  if (stage >= static_cast<int>(sim.result.ranks.size()))
    throw InputError({run.file, 0, 0}, "rank",
                     "rank " + std::to_string(run.rank) + " is stage " + std::to_string(stage) + ", but the scenario has " +
                         std::to_string(sim.result.ranks.size()) + " pipeline ranks");
  const RankResult& rank = sim.result.ranks[static_cast<std::size_t>(stage)];

  PredictedRun p;
  const std::unique_ptr<KernelModel> model = kernel_model_for(s);
  p.model = "step simulator (" + sim.result.kernel_model + ") on " + s.cluster.gpu.name + ", " +
            std::to_string(s.cluster.gpu.sms) + " SMs, " + fixed(s.cluster.gpu.hbm_bandwidth.gb_per_s(), 0) + " GB/s";
  const std::vector<StageLayers> layers = assign_layers(s.model, static_cast<int>(sim.result.ranks.size()));
  const StageCostContext ctx = stage_cost_context(s);  // even routing (see the header)
  const double micro_batches = s.parallel.micro_batches;
  static constexpr const char* kPassPhase[] = {"F", "B", "W"};
  for (const Op& op : stage_ops(s.model, layers[static_cast<std::size_t>(stage)], ctx))
    for (const Pass pass : {Pass::kForward, Pass::kDgrad, Pass::kWgrad}) {
      const OpWork w = op_work(op, pass);
      if (w.flops.value() <= 0 && w.bytes.value() <= 0) continue;
      const double t = model->time(w, ctx.sms).seconds() * micro_batches;
      p.class_seconds[to_string(w.family)] += t;
      p.phase_seconds[kPassPhase[static_cast<int>(pass)]] += t;
    }
  const double optimizer = rank.by_category[static_cast<std::size_t>(StepCategory::kOptimizer)].seconds();
  p.class_seconds[to_string(OpFamily::kMemoryBound)] += optimizer;
  p.phase_seconds["optimizer"] = optimizer;
  double comm = 0;
  for (std::size_t c = 0; c < kStepCategoryCount; ++c)
    if (is_communication(static_cast<StepCategory>(c))) comm += rank.by_category[c].seconds();
  p.class_seconds[kCommunicationClass] = comm;
  p.phase_seconds[kCommunicationClass] = comm;
  p.step_seconds = sim.result.step.seconds();
  return p;
}

PredictedRun predict_layers(const Scenario& s, int first_layer, int layers) {
  if (first_layer < 0 || layers < 1 || first_layer + layers > s.model.layers)
    throw InputError({s.source_file, 0, 0}, "layers",
                     "layers " + std::to_string(first_layer) + ".." + std::to_string(first_layer + layers - 1) +
                         " are not in the model's " + std::to_string(s.model.layers) + " layers",
                     "the first layer is 0; DeepSeek-V3's first MoE layer is " + std::to_string(s.model.moe.first_dense_layers));
  PredictedRun p;
  const std::unique_ptr<KernelModel> model = kernel_model_for(s);
  p.model = "kernel model (" + model->describe() + ") on " + s.cluster.gpu.name + ", layers " +
            std::to_string(first_layer) + ".." + std::to_string(first_layer + layers - 1) + ", one micro-batch";
  StageLayers span;
  span.first_layer = first_layer;
  span.num_layers = layers;
  const StageCostContext ctx = stage_cost_context(s);
  static constexpr const char* kPassPhase[] = {"F", "B", "W"};
  for (const Op& op : stage_ops(s.model, span, ctx))
    for (const Pass pass : {Pass::kForward, Pass::kDgrad, Pass::kWgrad}) {
      const OpWork w = op_work(op, pass);
      if (w.flops.value() <= 0 && w.bytes.value() <= 0) continue;
      const double t = model->time(w, ctx.sms).seconds();
      p.class_seconds[to_string(w.family)] += t;
      p.phase_seconds[kPassPhase[static_cast<int>(pass)]] += t;
    }
  return p;
}

}  // namespace deepsim::calib
