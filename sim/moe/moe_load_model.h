// MoeLoadModel: the one object the step builder asks for MoE routing. It owns the popularity model, the
// router, the aux-loss-free bias and the expert placement of every MoE layer of one EP group, and walks
// them through training steps:
//     for each step:  route(layer, micro_batch, ...) -> RoutedBatch   (as often as the step needs)
//                     observe(layer, batch)                          (the loads the step really ran)
//                     end_step()     bias update, EPLB every N steps, popularity drift
// route() is a pure function of (seed, step, layer, micro_batch, state): asking twice gives the same
// batch, and the order of requests does not matter. Modes: per-token samples every token (exact node
// sets, O(tokens x experts)); aggregate draws expert counts around Rao-Blackwellised selection
// probabilities estimated from probe_tokens tokens once per step and layer (O(probes x experts), then
// O(experts) per micro-batch), with no per-token destinations. Auto picks per-token up to
// spec.per_token_max_tokens tokens in the EP group.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sim/core/rng.h"
#include "sim/moe/bias_balancer.h"
#include "sim/moe/expert_placement.h"
#include "sim/moe/popularity.h"
#include "sim/moe/routed_batch.h"
#include "sim/moe/router_memo.h"
#include "sim/moe/routing_spec.h"
#include "sim/moe/routing_trace.h"
#include "sim/moe/token_router.h"

namespace deepsim {

enum class RoutingMode { kAuto, kPerToken, kAggregate };

class MoeLoadModel {
 public:
  // moe_layers: MoE layers of the model (layer indices below are 0-based among them). A trace source
  // reads spec.trace_path unless `trace` is given.
  MoeLoadModel(const MoeRoutingSpec& spec, const MoeSpec& moe, EpLayout layout, int moe_layers, std::uint64_t seed,
               std::optional<RoutingTrace> trace = std::nullopt);

  // tokens_per_gpu: tokens each EP rank routes in this micro-batch.
  [[nodiscard]] RoutedBatch route(int layer, int micro_batch, int tokens_per_gpu, RoutingMode mode = RoutingMode::kAuto);
  void observe(int layer, const RoutedBatch& batch);
  void end_step();
  // Recomputes every layer's placement now from the loads observed since the last one (EPLB policies).
  void rebalance();

  [[nodiscard]] int step() const { return step_; }
  [[nodiscard]] int layers() const { return layers_; }
  [[nodiscard]] const RouterShape& shape() const { return shape_; }
  [[nodiscard]] const EpLayout& layout() const { return layout_; }
  [[nodiscard]] const MoeRoutingSpec& spec() const { return spec_; }
  [[nodiscard]] const ExpertPlacement& placement(int layer) const;
  [[nodiscard]] std::span<const double> bias(int layer) const { return bias_.bias(layer); }
  [[nodiscard]] std::span<const double> logits(int layer) const { return popularity_.logits(layer); }
  // Shares the router's draws with other models through `memo` (not owned; null: none). Results are
  // the same either way (router_memo.h).
  void use_memo(RouterMemo* memo) { memo_ = memo; }
  // Selection probability of every expert at the current step (sums to top_k).
  [[nodiscard]] std::span<const double> selection_probabilities(int layer);

 private:
  struct Probe {
    bool valid = false;
    std::vector<double> pi;
    double nodes_per_token = 0;
    double gpus_per_token = 0;
  };

  [[nodiscard]] bool sampled() const;
  [[nodiscard]] std::vector<double> base_scores(int layer) const;
  [[nodiscard]] const Probe& probe(int layer);
  [[nodiscard]] RouterDrawKey draw_key(RouterDrawKind kind, const Rng& stream, long long tokens) const;
  [[nodiscard]] std::shared_ptr<const RouterDraw> draw(const RouterDrawKey& key, std::span<const double> base,
                                                       const std::function<RouterDraw()>& make);
  [[nodiscard]] RoutedBatch route_per_token(int layer, int micro_batch, int tokens_per_gpu);
  [[nodiscard]] RoutedBatch route_aggregate(int layer, int micro_batch, int tokens_per_gpu);
  void check_layer(int layer) const;

  MoeRoutingSpec spec_;
  RouterShape shape_;
  EpLayout layout_;
  int layers_;
  Rng root_;
  PopularityModel popularity_;
  BiasBalancer bias_;
  TokenRouter router_;
  std::optional<RoutingTrace> trace_;
  int step_ = 0;
  std::vector<ExpertPlacement> placements_;
  std::vector<std::vector<double>> observed_;  // this step's loads per layer
  std::vector<std::vector<double>> window_;    // loads since the last EPLB placement
  std::vector<Probe> probes_;
  RouterMemo* memo_ = nullptr;
};

}  // namespace deepsim
