#include "sim/step/uniform_routing.h"

#include <algorithm>
#include <vector>

#include "sim/core/error.h"

namespace deepsim {

TokenRouting sample_uniform_routing(const ModelSpec& m, int ep, int tokens_per_gpu, Rng& rng) {
  const MoeSpec& moe = m.moe;
  DEEPSIM_ASSERT(moe.routed_experts % ep == 0 && moe.routed_experts % moe.expert_groups == 0, "experts divide evenly");
  const int per_gpu = moe.routed_experts / ep;
  const int per_group = moe.routed_experts / moe.expert_groups;
  const int pool_size = per_group * moe.limited_groups;
  TokenRouting r;
  r.destinations.resize(static_cast<std::size_t>(ep));
  r.offsets.resize(static_cast<std::size_t>(ep));
  std::vector<int> groups(static_cast<std::size_t>(moe.expert_groups));
  std::vector<int> pool(static_cast<std::size_t>(pool_size));
  for (int src = 0; src < ep; ++src) {
    auto& dst = r.destinations[static_cast<std::size_t>(src)];
    auto& off = r.offsets[static_cast<std::size_t>(src)];
    dst.reserve(static_cast<std::size_t>(tokens_per_gpu) * static_cast<std::size_t>(moe.top_k));
    off.reserve(static_cast<std::size_t>(tokens_per_gpu) + 1);
    off.push_back(0);
    for (int t = 0; t < tokens_per_gpu; ++t) {
      // Partial Fisher-Yates: the first limited_groups entries are a uniform sample of groups ...
      for (int g = 0; g < moe.expert_groups; ++g) groups[static_cast<std::size_t>(g)] = g;
      for (int i = 0; i < moe.limited_groups; ++i) {
        const auto j = i + static_cast<int>(rng.below(static_cast<std::uint64_t>(moe.expert_groups - i)));
        std::swap(groups[static_cast<std::size_t>(i)], groups[static_cast<std::size_t>(j)]);
      }
      for (int i = 0; i < pool_size; ++i)
        pool[static_cast<std::size_t>(i)] = groups[static_cast<std::size_t>(i / per_group)] * per_group + i % per_group;
      // ... and the first top_k of the pool a uniform sample of their experts.
      for (int i = 0; i < moe.top_k; ++i) {
        const auto j = i + static_cast<int>(rng.below(static_cast<std::uint64_t>(pool_size - i)));
        std::swap(pool[static_cast<std::size_t>(i)], pool[static_cast<std::size_t>(j)]);
        dst.push_back(static_cast<std::uint16_t>(pool[static_cast<std::size_t>(i)] / per_gpu));
      }
      off.push_back(static_cast<std::uint32_t>(dst.size()));
    }
  }
  return r;
}

}  // namespace deepsim
