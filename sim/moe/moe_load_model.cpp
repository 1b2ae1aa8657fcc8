#include "sim/moe/moe_load_model.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "sim/core/error.h"
#include "sim/moe/balanced_routing.h"
#include "sim/moe/eplb.h"

namespace deepsim {
namespace {

// Counts for `tokens` tokens choosing top_k experts each with selection probabilities pi (sum top_k):
// each count is Normal(T pi_e, T pi_e (1 - pi_e)) (the sum of T independent token choices), clipped at
// zero, rescaled to T*top_k and rounded by largest remainder so the total is exact.
std::vector<double> sample_counts(std::span<const double> pi, long long tokens, int top_k, Rng& rng) {
  const std::size_t n = pi.size();
  const auto t = static_cast<double>(tokens);
  std::vector<double> x(n);
  for (std::size_t e = 0; e < n; ++e) {
    const double p = std::clamp(pi[e], 0.0, 1.0);
    x[e] = std::max(0.0, t * p + std::sqrt(t * p * (1.0 - p)) * rng.normal());
  }
  const double sum = std::accumulate(x.begin(), x.end(), 0.0);
  const double total = t * top_k;
  std::vector<double> out(n, 0.0);
  if (sum <= 0) return out;
  std::vector<std::pair<double, std::size_t>> rem(n);
  double assigned = 0;
  for (std::size_t e = 0; e < n; ++e) {
    const double v = x[e] * total / sum;
    out[e] = std::floor(v);
    assigned += out[e];
    rem[e] = {v - out[e], e};
  }
  std::stable_sort(rem.begin(), rem.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; i < n && assigned < total; ++i, assigned += 1.0) out[rem[i].second] += 1.0;
  return out;
}

// Distinct nodes and ranks a token's experts reach, through each expert's first replica.
std::pair<int, int> reach(const ExpertPlacement& p, std::span<const int> experts) {
  int gpus[64], nodes[64];  // top_k is small; larger k falls back to counting the first 64
  int ng = 0, nn = 0;
  for (int e : experts) {
    if (ng == 64) break;
    const int g = p.gpu_of_slot(p.replicas[static_cast<std::size_t>(e)][0]);
    const int n = p.layout.node_of(g);
    if (std::find(gpus, gpus + ng, g) == gpus + ng) gpus[ng++] = g;
    if (std::find(nodes, nodes + nn, n) == nodes + nn) nodes[nn++] = n;
  }
  return {nn, ng};
}

}  // namespace

MoeLoadModel::MoeLoadModel(const MoeRoutingSpec& spec, const MoeSpec& moe, EpLayout layout, int moe_layers,
                           std::uint64_t seed, std::optional<RoutingTrace> trace)
    : spec_(spec),
      shape_(RouterShape::from(moe)),
      layout_(layout),
      layers_(moe_layers),
      root_(Rng(seed + spec.seed_offset).fork("moe")),
      popularity_(spec, moe_layers, moe.routed_experts, root_.fork("popularity")),
      bias_(moe_layers, moe.routed_experts, spec.bias_gamma),
      router_(shape_, spec.noise, spec.group_score, spec.score_scale),
      trace_(std::move(trace)) {
  DEEPSIM_ASSERT(layers_ >= 1, "an MoE model has MoE layers");
  if (spec_.source == LoadSource::kTrace) {
    if (!trace_) trace_ = load_routing_trace_csv(spec_.trace_path);
    if (trace_->experts > shape_.experts)
      throw InputError(SourcePos{trace_->file, 0, 0}, "expert",
                       "the trace names expert " + std::to_string(trace_->experts - 1) + " but the model has " +
                           std::to_string(shape_.experts) + " routed experts");
  }
  const auto e = static_cast<std::size_t>(shape_.experts);
  placements_.assign(static_cast<std::size_t>(layers_), ExpertPlacement::contiguous(shape_.experts, layout_));
  observed_.assign(static_cast<std::size_t>(layers_), std::vector<double>(e, 0.0));
  window_ = observed_;
  probes_.resize(static_cast<std::size_t>(layers_));
}

void MoeLoadModel::check_layer(int layer) const {
  DEEPSIM_ASSERT(layer >= 0 && layer < layers_, "MoE layer index in range");
}

const ExpertPlacement& MoeLoadModel::placement(int layer) const {
  check_layer(layer);
  return placements_[static_cast<std::size_t>(layer)];
}

bool MoeLoadModel::sampled() const {
  return spec_.source != LoadSource::kBalanced && spec_.source != LoadSource::kTrace;
}

std::vector<double> MoeLoadModel::base_scores(int layer) const {
  std::vector<double> base(static_cast<std::size_t>(shape_.experts), 0.0);
  if (spec_.source == LoadSource::kTrace) {
    // The trace's proportions as popularity; the trace already has the real run's balancing in it.
    const auto loads = trace_->loads(step_, layer);
    const double sum = std::accumulate(loads.begin(), loads.end(), 0.0);
    const double floor = std::max(sum, 1.0) * 1e-9;  // an expert the trace never used stays (almost) unused
    for (std::size_t e = 0; e < base.size(); ++e)
      base[e] = spec_.score_scale * std::log(std::max(e < loads.size() ? loads[e] : 0.0, floor));
    return base;
  }
  const auto logits = popularity_.logits(layer);
  const auto bias = bias_.bias(layer);
  for (std::size_t e = 0; e < base.size(); ++e) base[e] = spec_.score_scale * logits[e] + (spec_.balancing ? bias[e] : 0.0);
  return base;
}

RouterDrawKey MoeLoadModel::draw_key(RouterDrawKind kind, const Rng& stream, long long tokens) const {
  RouterDrawKey key;
  key.kind = kind;
  key.shape = shape_;
  key.noise = spec_.noise;
  key.rule = spec_.group_score;
  key.score_scale = spec_.score_scale;
  key.stream_seed = stream.seed();
  key.tokens = tokens;
  return key;
}

std::shared_ptr<const RouterDraw> MoeLoadModel::draw(const RouterDrawKey& key, std::span<const double> base,
                                                     const std::function<RouterDraw()>& make) {
  if (memo_ == nullptr) return std::make_shared<const RouterDraw>(make());
  return memo_->get(key, base, make);
}

const MoeLoadModel::Probe& MoeLoadModel::probe(int layer) {
  Probe& p = probes_[static_cast<std::size_t>(layer)];
  if (p.valid) return p;
  const auto e = static_cast<std::size_t>(shape_.experts);
  const auto k = static_cast<std::size_t>(shape_.top_k);
  const auto tokens = static_cast<std::size_t>(spec_.probe_tokens);
  p.nodes_per_token = p.gpus_per_token = 0;
  const std::vector<double> base = base_scores(layer);
  Rng rng = root_.fork("probe").fork(static_cast<std::uint64_t>(step_)).fork(static_cast<std::uint64_t>(layer));
  const auto d = draw(draw_key(RouterDrawKind::kProbe, rng, spec_.probe_tokens), base, [&] {
    RouterDraw out;
    out.pi.assign(e, 0.0);
    out.experts.resize(tokens * k);
    for (std::size_t i = 0; i < tokens; ++i) {
      router_.add_inclusion_probabilities(base, rng, out.pi);
      router_.last_choice(std::span<int>(out.experts).subspan(i * k, k));
    }
    return out;
  });
  p.pi = d->pi;
  const ExpertPlacement& place = placement(layer);
  for (std::size_t i = 0; i < tokens; ++i) {
    const auto [nodes, gpus] = reach(place, std::span<const int>(d->experts).subspan(i * k, k));
    p.nodes_per_token += nodes;
    p.gpus_per_token += gpus;
  }
  const double sum = std::accumulate(p.pi.begin(), p.pi.end(), 0.0);
  for (double& x : p.pi) x *= shape_.top_k / sum;
  p.nodes_per_token /= spec_.probe_tokens;
  p.gpus_per_token /= spec_.probe_tokens;
  if (spec_.source == LoadSource::kTrace) {
    const auto loads = trace_->loads(step_, layer);
    const double total = std::accumulate(loads.begin(), loads.end(), 0.0);
    std::fill(p.pi.begin(), p.pi.end(), 0.0);
    for (std::size_t x = 0; x < loads.size(); ++x) p.pi[x] = total > 0 ? shape_.top_k * loads[x] / total : 0.0;
  }
  p.valid = true;
  return p;
}

std::span<const double> MoeLoadModel::selection_probabilities(int layer) {
  check_layer(layer);
  return probe(layer).pi;
}

RoutedBatch MoeLoadModel::route(int layer, int micro_batch, int tokens_per_gpu, RoutingMode mode) {
  check_layer(layer);
  DEEPSIM_ASSERT(tokens_per_gpu >= 0 && micro_batch >= 0, "non-negative tokens and micro-batch");
  const long long total = static_cast<long long>(tokens_per_gpu) * layout_.gpus;
  if (mode == RoutingMode::kAuto)
    mode = total <= spec_.per_token_max_tokens ? RoutingMode::kPerToken : RoutingMode::kAggregate;
  return mode == RoutingMode::kPerToken ? route_per_token(layer, micro_batch, tokens_per_gpu)
                                        : route_aggregate(layer, micro_batch, tokens_per_gpu);
}

RoutedBatch MoeLoadModel::route_per_token(int layer, int micro_batch, int tokens_per_gpu) {
  const int total = tokens_per_gpu * layout_.gpus;
  const ExpertPlacement& place = placement(layer);
  if (spec_.source == LoadSource::kBalanced)
    return assemble_per_token(place, tokens_per_gpu, shape_.top_k, balanced_token_experts(shape_, 0, total),
                              spec_.replica_rule);
  const std::vector<double> base = base_scores(layer);
  Rng rng = root_.fork("tokens").fork(static_cast<std::uint64_t>(step_)).fork(static_cast<std::uint64_t>(layer))
                .fork(static_cast<std::uint64_t>(micro_batch));
  const auto k = static_cast<std::size_t>(shape_.top_k);
  const auto d = draw(draw_key(RouterDrawKind::kPerToken, rng, total), base, [&] {
    RouterDraw out;
    out.experts.resize(static_cast<std::size_t>(total) * k);
    for (std::size_t t = 0; t < static_cast<std::size_t>(total); ++t)
      router_.route(base, rng, std::span<int>(out.experts).subspan(t * k, k));
    return out;
  });
  return assemble_per_token(place, tokens_per_gpu, shape_.top_k, d->experts, spec_.replica_rule);
}

RoutedBatch MoeLoadModel::route_aggregate(int layer, int micro_batch, int tokens_per_gpu) {
  const long long total = static_cast<long long>(tokens_per_gpu) * layout_.gpus;
  const ExpertPlacement& place = placement(layer);
  if (spec_.source == LoadSource::kBalanced) {
    // Node counts from one period of the deterministic deal (every token reaches the same number).
    const int sample = shape_.experts * shape_.groups;
    const std::vector<int> deal = balanced_token_experts(shape_, 0, sample);
    double nodes = 0, gpus = 0;
    for (int t = 0; t < sample; ++t) {
      const auto [n, g] = reach(place, std::span<const int>(deal).subspan(static_cast<std::size_t>(t * shape_.top_k),
                                                                        static_cast<std::size_t>(shape_.top_k)));
      nodes += n;
      gpus += g;
    }
    std::vector<double> counts(static_cast<std::size_t>(shape_.experts),
                               static_cast<double>(total) * shape_.top_k / shape_.experts);
    return assemble_aggregate(place, tokens_per_gpu, shape_.top_k, std::move(counts), nodes / sample, gpus / sample);
  }
  const Probe& p = probe(layer);
  Rng rng = root_.fork("counts").fork(static_cast<std::uint64_t>(step_)).fork(static_cast<std::uint64_t>(layer))
                .fork(static_cast<std::uint64_t>(micro_batch));
  return assemble_aggregate(place, tokens_per_gpu, shape_.top_k, sample_counts(p.pi, total, shape_.top_k, rng),
                            p.nodes_per_token, p.gpus_per_token);
}

void MoeLoadModel::observe(int layer, const RoutedBatch& batch) {
  check_layer(layer);
  DEEPSIM_ASSERT(batch.expert_tokens.size() == static_cast<std::size_t>(shape_.experts), "batch of this model");
  auto& obs = observed_[static_cast<std::size_t>(layer)];
  auto& win = window_[static_cast<std::size_t>(layer)];
  for (std::size_t e = 0; e < obs.size(); ++e) {
    obs[e] += batch.expert_tokens[e];
    win[e] += batch.expert_tokens[e];
  }
}

void MoeLoadModel::rebalance() {
  if (spec_.eplb.policy == EplbPolicy::kNone) return;
  for (int l = 0; l < layers_; ++l) {
    auto& win = window_[static_cast<std::size_t>(l)];
    if (std::accumulate(win.begin(), win.end(), 0.0) <= 0) continue;  // nothing observed: keep the placement
    placements_[static_cast<std::size_t>(l)] =
        eplb_place(spec_.eplb.policy, win, shape_.groups, spec_.eplb.redundant_experts, layout_);
    std::fill(win.begin(), win.end(), 0.0);
  }
}

void MoeLoadModel::end_step() {
  if (spec_.balancing && sampled())
    for (int l = 0; l < layers_; ++l) bias_.update(l, observed_[static_cast<std::size_t>(l)]);
  if (spec_.eplb.policy != EplbPolicy::kNone && (step_ + 1) % spec_.eplb.rebalance_every_steps == 0) rebalance();
  popularity_.advance();
  ++step_;
  for (auto& obs : observed_) std::fill(obs.begin(), obs.end(), 0.0);
  for (auto& p : probes_) p.valid = false;
}

}  // namespace deepsim
