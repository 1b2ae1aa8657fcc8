#include "sim/step/routing_sample_cache.h"

namespace deepsim {

std::shared_ptr<const AllToAllLoad> RoutingSampleCache::get(const RoutingSampleKey& key,
                                                            const std::function<AllToAllLoad()>& make) {
  {
    const std::lock_guard lock(m_);
    if (const auto it = loads_.find(key); it != loads_.end()) {
      ++hits_;
      return it->second;
    }
    ++misses_;
  }
  auto load = std::make_shared<const AllToAllLoad>(make());
  const std::lock_guard lock(m_);
  if (loads_.size() >= kMaxEntries) loads_.clear();
  return loads_.emplace(key, std::move(load)).first->second;
}

std::shared_ptr<const MoeEffects> RoutingSampleCache::effects(const MoeEffectsKey& key,
                                                               const std::function<MoeEffects()>& make) {
  {
    const std::lock_guard lock(m_);
    for (const auto& [k, e] : effects_)
      if (k == key) {
        ++hits_;
        return e;
      }
    ++misses_;
  }
  auto e = std::make_shared<const MoeEffects>(make());
  const std::lock_guard lock(m_);
  for (const auto& [k, kept] : effects_)
    if (k == key) return kept;  // another thread stored it meanwhile: keep the first
  if (effects_.size() >= kMaxEffects) effects_.clear();
  effects_.emplace_back(key, e);
  return e;
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
