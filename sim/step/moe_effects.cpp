#include "sim/step/moe_effects.h"

#include <algorithm>

#include "sim/core/format.h"
#include "sim/moe/balancing_run.h"
#include "sim/moe/moe_load_model.h"

namespace deepsim {

double MoeEffects::mean_gpu_max_over_mean() const {
  double sum = 0;
  for (const auto& l : samples) sum += l.gpu_max_over_mean;
  return samples.empty() ? 1.0 : sum / static_cast<double>(samples.size());
}

double MoeEffects::mean_node_max_over_mean() const {
  double sum = 0;
  for (const auto& l : samples) sum += l.node_max_over_mean;
  return samples.empty() ? 1.0 : sum / static_cast<double>(samples.size());
}

namespace {

Time scaled_time(const EpGroupShape& g, const AllToAllLoad& unit, double bytes, double scale) {
  AllToAllLoad l = unit;
  for (auto* v : {&l.nic_out, &l.nic_in, &l.nvlink_out, &l.nvlink_in})
    for (double& x : *v) x *= bytes * scale;
  return all_to_all_time(g, l);
}

LayerMoeEffect layer_effect(MoeLoadModel& model, int layer, int tokens, int sample_tokens, const EpGroupShape& g,
                            int hidden) {
  LayerMoeEffect e;
  const RoutedBatch agg = model.route(layer, 0, tokens, RoutingMode::kAggregate);
  e.gpu_max_over_mean = agg.gpu_imbalance().ratio();
  e.node_max_over_mean = agg.node_imbalance().ratio();
  const auto busiest = std::max_element(agg.gpu_tokens.begin(), agg.gpu_tokens.end());
  const int slots = model.placement(layer).slots_per_gpu;
  const double rows = busiest == agg.gpu_tokens.end() ? 0.0 : *busiest;
  // The busiest GPU's rows spread over its expert slots (their split does not change the grouped GEMM's
  // FLOPs; it changes its tile efficiency a little).
  for (int i = 0; i < slots; ++i)
    e.busiest_gpu_expert_tokens.push_back(static_cast<std::int64_t>(rows / slots + (i < static_cast<int>(rows) % slots ? 1 : 0)));
  const RoutedBatch pt = model.route(layer, 0, sample_tokens, RoutingMode::kPerToken);
  e.nodes_per_token = pt.mean_nodes_per_token;
  TokenRouting r;
  r.destinations = pt.dest_gpus;
  r.offsets = pt.dest_offsets;
  const AllToAllLoad unit = all_to_all_load(g, r, 1.0);
  const double scale = static_cast<double>(tokens) / sample_tokens;
  e.unit_load = unit;
  for (auto* v : {&e.unit_load.nic_out, &e.unit_load.nic_in, &e.unit_load.nvlink_out, &e.unit_load.nvlink_in})
    for (double& x : *v) x *= scale;
  e.unit_load.ib_bytes *= scale;
  e.unit_load.nvlink_bytes *= scale;
  e.dispatch_forward = scaled_time(g, unit, dispatch_bytes_per_token(hidden), scale);
  e.bf16_all_to_all = scaled_time(g, unit, combine_bytes_per_token(hidden), scale);
  double hottest = 0, mean = 0;
  for (std::size_t i = 0; i < unit.nic_in.size(); ++i) {
    hottest = std::max({hottest, unit.nic_in[i], unit.nic_out[i]});
    mean += unit.nic_in[i];
  }
  mean /= static_cast<double>(std::max<std::size_t>(1, unit.nic_in.size()));
  e.hottest_link_utilisation = mean > 0 ? hottest / mean : 1.0;
  return e;
}

}  // namespace

MoeEffects moe_effects(const Scenario& s, const MoeRoutingSpec& spec, const EpGroupShape& group,
                       const MoeEffectOptions& options) {
  const ModelSpec& m = s.model;
  int moe_layers = 0;
  for (int l = 0; l < m.layers; ++l) moe_layers += m.is_moe_layer(l) ? 1 : 0;
  const int samples = std::max(1, std::min(options.layer_samples, moe_layers));
  MoeLoadModel model(spec, m.moe, EpLayout{group.gpus, group.gpus_per_node}, samples, s.seed);
  model.use_memo(options.router_memo);
  const int tokens = s.parallel.micro_batch_size * s.training.seq_len / s.parallel.cp;  // per GPU (CP: its 1/cp)
  if (options.warmup_steps > 0) (void)run_balancing(model, options.warmup_steps, 1, tokens, RoutingMode::kAggregate);
  MoeEffects out;
  out.first_moe_layer = m.moe.first_dense_layers;
  for (int j = 0; j < samples; ++j)
    out.samples.push_back(layer_effect(model, j, tokens, std::min(options.per_token_tokens, tokens), group, m.hidden));
  out.description = std::string("MoE routing ") + to_string(spec.source) + " (" + std::to_string(samples) +
                    " layer samples, after " + std::to_string(options.warmup_steps) + " balancing steps): per-GPU max/mean " +
                    fixed(out.mean_gpu_max_over_mean(), 3) + ", per-node " + fixed(out.mean_node_max_over_mean(), 3);
  return out;
}

}  // namespace deepsim
