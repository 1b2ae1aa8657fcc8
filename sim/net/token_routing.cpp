#include "sim/net/token_routing.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "sim/core/error.h"

namespace deepsim {
namespace {

void check(const GroupLimitedTopK& s, int gpus, int tokens_per_gpu) {
  const auto fail = [](const std::string& key, const std::string& msg) { throw InputError({}, key, msg); };
  if (s.experts <= 0 || s.expert_groups <= 0 || s.experts % s.expert_groups != 0)
    fail("moe.expert_groups", "expert_groups must divide the routed experts");
  if (s.limited_groups <= 0 || s.limited_groups > s.expert_groups)
    fail("moe.limited_groups", "limited_groups must be in 1..expert_groups");
  if (s.top_k <= 0 || s.top_k > s.limited_groups * (s.experts / s.expert_groups))
    fail("moe.top_k", "top_k exceeds the experts of the allowed groups");
  if (gpus <= 0 || s.experts % gpus != 0 || gpus > 65536)
    fail("ep", "the EP group size must divide the routed experts (and fit 16-bit GPU indices)");
  if (tokens_per_gpu < 0) fail("tokens", "negative token count");
}

}  // namespace

TokenRouting sample_group_limited_routing(const GroupLimitedTopK& s, int gpus, int tokens_per_gpu, Rng& rng) {
  check(s, gpus, tokens_per_gpu);
  const int per_group = s.experts / s.expert_groups;
  const int experts_per_gpu = s.experts / gpus;
  const int candidates = s.limited_groups * per_group;
  std::vector<int> groups(static_cast<std::size_t>(s.expert_groups));
  std::vector<int> pool(static_cast<std::size_t>(candidates));
  // Expert -> its GPU as a table: a division per pick was a fifth of the draw's time.
  std::vector<std::uint16_t> gpu_of(static_cast<std::size_t>(s.experts));
  for (int e = 0; e < s.experts; ++e) gpu_of[static_cast<std::size_t>(e)] = static_cast<std::uint16_t>(e / experts_per_gpu);
  TokenRouting r;
  r.destinations.resize(static_cast<std::size_t>(gpus));
  r.offsets.resize(static_cast<std::size_t>(gpus));
  for (std::size_t src = 0; src < r.destinations.size(); ++src) {
    auto& dst = r.destinations[src];
    auto& off = r.offsets[src];
    dst.reserve(static_cast<std::size_t>(tokens_per_gpu) * static_cast<std::size_t>(s.top_k));
    off.reserve(static_cast<std::size_t>(tokens_per_gpu) + 1);
    off.push_back(0);
    for (int t = 0; t < tokens_per_gpu; ++t) {
      // Partial Fisher-Yates twice: M of the groups, then k of their experts.
      std::iota(groups.begin(), groups.end(), 0);
      for (int i = 0; i < s.limited_groups; ++i) {
        const auto j = static_cast<std::size_t>(i) + rng.below(static_cast<std::uint64_t>(s.expert_groups - i));
        std::swap(groups[static_cast<std::size_t>(i)], groups[j]);
      }
      // The candidates, group by group (the same pool as indexing c / per_group, without a division per
      // candidate: this fill was a third of a sweep point's CPU time).
      for (int i = 0, c = 0; i < s.limited_groups; ++i) {
        const int first = groups[static_cast<std::size_t>(i)] * per_group;
        for (int e = 0; e < per_group; ++e, ++c) pool[static_cast<std::size_t>(c)] = first + e;
      }
      for (int i = 0; i < s.top_k; ++i) {
        const auto j = static_cast<std::size_t>(i) + rng.below(static_cast<std::uint64_t>(candidates - i));
        std::swap(pool[static_cast<std::size_t>(i)], pool[j]);
        dst.push_back(gpu_of[static_cast<std::size_t>(pool[static_cast<std::size_t>(i)])]);
      }
      off.push_back(static_cast<std::uint32_t>(dst.size()));
    }
  }
  return r;
}

double expected_groups_per_token(const GroupLimitedTopK& s) {
  // C((M-1) E_g, k) / C(M E_g, k) = prod_{i<k} ((M-1) E_g - i) / (M E_g - i): the chance that one given
  // picked group receives none of the k experts.
  const double per_group = static_cast<double>(s.experts) / s.expert_groups;
  const double all = s.limited_groups * per_group, others = all - per_group;
  double miss = 1;
  for (int i = 0; i < s.top_k; ++i) miss *= std::max(0.0, others - i) / (all - i);
  return s.limited_groups * (1 - miss);
}

}  // namespace deepsim
