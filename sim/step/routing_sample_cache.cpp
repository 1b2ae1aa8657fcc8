#include "sim/step/routing_sample_cache.h"

#include "sim/core/compute_once.h"

namespace deepsim {

std::shared_ptr<const AllToAllLoad> RoutingSampleCache::get(const RoutingSampleKey& key,
                                                            const std::function<AllToAllLoad()>& make) {
  std::promise<std::shared_ptr<const AllToAllLoad>> promise;
  std::shared_future<std::shared_ptr<const AllToAllLoad>> result;
  bool mine = false;
  {
    const std::lock_guard lock(m_);
    if (const auto it = loads_.find(key); it != loads_.end()) {
      ++hits_;
      result = it->second;  // a copy: the map may be cleared while this thread waits
    } else {
      ++misses_;
      if (loads_.size() >= kMaxEntries) loads_.clear();  // waiters hold their own futures
      result = promise.get_future().share();
      loads_.emplace(key, result);
      mine = true;
    }
  }
  if (mine) (void)compute_once<AllToAllLoad>(promise, make, m_, [&] { loads_.erase(key); });
  return result.get();
}

std::shared_ptr<const MoeEffects> RoutingSampleCache::effects(const MoeEffectsKey& key,
                                                               const std::function<MoeEffects()>& make) {
  std::promise<std::shared_ptr<const MoeEffects>> promise;
  std::shared_future<std::shared_ptr<const MoeEffects>> result;
  bool mine = true;
  {
    const std::lock_guard lock(m_);
    for (const auto& [k, e] : effects_)
      if (k == key) {
        result = e;
        mine = false;
        break;
      }
    if (mine) {
      ++misses_;
      if (effects_.size() >= kMaxEffects) effects_.clear();
      result = promise.get_future().share();
      effects_.emplace_back(key, result);
    } else {
      ++hits_;
    }
  }
  if (mine)
    (void)compute_once<MoeEffects>(promise, make, m_, [&] {
      std::erase_if(effects_, [&](const auto& kv) { return kv.first == key; });
    });
  return result.get();
}

std::uint64_t RoutingSampleCache::hits() const {
  const std::lock_guard lock(m_);
  return hits_;
}

std::uint64_t RoutingSampleCache::misses() const {
  const std::lock_guard lock(m_);
  return misses_;
}

MoeEffects moe_effects(const Scenario& s, const MoeRoutingSpec& spec, const EpGroupShape& g,
                       const MoeEffectOptions& options, RoutingSampleCache* cache) {
  if (cache == nullptr) return moe_effects(s, spec, g, options);
  MoeEffectsKey key;
  key.seed = s.seed;
  key.spec = spec;
  key.moe = s.model.moe;
  key.layers = s.model.layers;
  key.hidden = s.model.hidden;
  key.tokens = s.parallel.micro_batch_size * s.training.seq_len / s.parallel.cp;
  key.gpus = g.gpus;
  key.gpus_per_node = g.gpus_per_node;
  key.nic_bytes_per_s = g.nic.bytes_per_s();
  key.nvlink_bytes_per_s = g.nvlink.bytes_per_s();
  key.latency_ps = g.latency.count_ps();
  key.layer_samples = options.layer_samples;
  key.per_token_tokens = options.per_token_tokens;
  key.warmup_steps = options.warmup_steps;
  MoeEffectOptions shared = options;
  shared.router_memo = &cache->router_memo();
  return *cache->effects(key, [&] { return moe_effects(s, spec, g, shared); });
}

}  // namespace deepsim
