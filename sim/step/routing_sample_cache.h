// RoutingSampleCache: the per-link all-to-all load of a uniform group-limited routing sample
// (sim/net/token_routing.h -> all_to_all_load), and the MoE load model's per-layer effects
// (moe_effects.h: skewed routing, bias balancing and EPLB warm-up), kept across step simulations that
// share their inputs.
//
// The sample depends on the scenario seed, the EP group index, the EP degree, the tokens of one
// micro-batch, the MoE shape (experts, groups, limited groups, top-k) and how the group sits on nodes
// (GPUs per node); not on the micro-batch count, the schedule, the GPU type or the fabric. A forecast's
// ramp levels and a sweep's points over schedules or GPUs therefore draw it once. The cached load is the
// one a fresh draw gives (same seeded stream), so results do not depend on whether the cache is used,
// nor on which thread filled it first. The MoE effects are keyed by everything moe_effects() reads: the
// seed, the `moe:` spec, the model's MoE shape, layers and hidden size, the tokens of a micro-batch,
// the EP group (size, placement, bandwidths, latency) and the warm-up steps.
//
// The caller owns the cache and passes it to simulate_step (StepOptions::routing_cache); it is safe to
// share between threads. Its size is bounded: past kMaxEntries distinct keys it forgets everything (a
// sweep over seeds or EP degrees does not grow memory without limit).
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/net/all_to_all_bound.h"
#include "sim/net/token_routing.h"
#include "sim/step/moe_effects.h"

namespace deepsim {

struct RoutingSampleKey {
  std::uint64_t seed = 0;
  int group = 0;          // EP group index within a stage (its own stream)
  int ep = 0;
  int tokens = 0;         // per GPU: micro_batch_size x seq_len
  GroupLimitedTopK shape;
  int gpus_per_node = 0;  // the group's placement: consecutive GPUs, gpus_per_node to a node

  [[nodiscard]] auto tie() const {
    return std::tie(seed, group, ep, tokens, shape.experts, shape.expert_groups, shape.limited_groups, shape.top_k,
                    gpus_per_node);
  }
  bool operator<(const RoutingSampleKey& o) const { return tie() < o.tie(); }
};

struct MoeEffectsKey {
  std::uint64_t seed = 0;
  MoeRoutingSpec spec;
  MoeSpec moe;
  int layers = 0, hidden = 0, tokens = 0;
  int gpus = 0, gpus_per_node = 0;
  double nic_bytes_per_s = 0, nvlink_bytes_per_s = 0;
  Time::rep latency_ps = 0;
  int layer_samples = 0, per_token_tokens = 0, warmup_steps = 0;

  bool operator==(const MoeEffectsKey&) const = default;
};

class RoutingSampleCache {
 public:
  static constexpr std::size_t kMaxEntries = 4096;
  static constexpr std::size_t kMaxEffects = 64;

  // The load for `key`, computed by `make` on a miss. `make` runs outside the lock and once per key: a
  // thread asking for a key another thread is computing waits for it (the forecast's configured step
  // and its ramp levels start together and want the same sample); if `make` throws, every waiter gets
  // the exception and the key is computed afresh when next asked.
  [[nodiscard]] std::shared_ptr<const AllToAllLoad> get(const RoutingSampleKey& key,
                                                        const std::function<AllToAllLoad()>& make);

  // The same for the MoE load model's effects (also once per key); a handful per run, so a linear search
  // by ==.
  [[nodiscard]] std::shared_ptr<const MoeEffects> effects(const MoeEffectsKey& key, const std::function<MoeEffects()>& make);

  // The router draws shared by the MoE load models of every moe_effects() call through this cache.
  [[nodiscard]] RouterMemo& router_memo() { return router_memo_; }

  [[nodiscard]] std::uint64_t hits() const;
  [[nodiscard]] std::uint64_t misses() const;

 private:
  RouterMemo router_memo_;
  mutable std::mutex m_;
  // Futures, so a key being computed is found (and waited for) rather than computed twice.
  std::map<RoutingSampleKey, std::shared_future<std::shared_ptr<const AllToAllLoad>>> loads_;
  std::vector<std::pair<MoeEffectsKey, std::shared_future<std::shared_ptr<const MoeEffects>>>> effects_;
  std::uint64_t hits_ = 0, misses_ = 0;
};

// moe_effects() through `cache` (null: computed afresh); the same effects either way.
[[nodiscard]] MoeEffects moe_effects(const Scenario& s, const MoeRoutingSpec& spec, const EpGroupShape& group,
                                     const MoeEffectOptions& options, RoutingSampleCache* cache);

}  // namespace deepsim
