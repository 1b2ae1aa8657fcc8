#include "sim/moe/balanced_routing.h"

#include <numeric>

namespace deepsim {

std::vector<int> balanced_token_experts(const RouterShape& shape, long long first_token, int tokens) {
  shape.check();
  const int g_count = shape.groups, m = shape.limited_groups, k = shape.top_k, gs = shape.group_size();
  // Each group's cursor after the tokens before first_token: the deal is a pure function of the token
  // index, so any window of tokens can be produced on its own. Replay is cheap next to routing itself.
  std::vector<long long> cursor(static_cast<std::size_t>(g_count), 0);
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(tokens) * static_cast<std::size_t>(k));
  const long long end = first_token + tokens;
  // The group pattern repeats every `period` tokens, a group always at the same position j of the same
  // token of the cycle; shifting the extra experts by the cycle index rotates them over every group.
  const long long period = g_count / std::gcd(g_count, m);
  for (long long t = 0; t < end; ++t) {
    for (int j = 0; j < m; ++j) {
      const auto g = static_cast<int>((t * m + j) % g_count);
      const int take = k / m + (((t / period + j) % m) < (k % m) ? 1 : 0);
      auto& c = cursor[static_cast<std::size_t>(g)];
      if (t >= first_token)
        for (int i = 0; i < take; ++i) out.push_back(g * gs + static_cast<int>((c + i) % gs));
      c += take;
    }
  }
  return out;
}

}  // namespace deepsim
