// TokenRouting: which GPUs each token of an MoE layer goes to, the input of DeepEP-style dispatch and
// combine (collective.h) and of the bottleneck model (all_to_all_bound.h); and a seeded sampler of it
// under DeepSeek-V3's group-limited top-k (reference R12, TR 3.2.2).
//
// Sampler model (the router with i.i.d. scores and zero bias): every token picks `limited_groups` of the
// `expert_groups` groups uniformly at random, then `top_k` distinct experts uniformly among the
// limited_groups x E_g experts of those groups (E_g = experts / expert_groups). Experts sit contiguously
// on the GPUs (expert e on GPU e / (experts / gpus)), so with EP64 and 8 groups group g is node g.
// The number of distinct groups a token reaches is the number of picked groups that receive at least one
// of its k experts; by linearity over the M = limited_groups picked groups:
//     E[groups per token] = M x (1 - C((M-1) E_g, k) / C(M E_g, k))
// DeepSeek-V3 (M = 4, E_g = 32, k = 8): 4 x (1 - C(96,8)/C(128,8)) = 3.63 (R24's derived figure).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/rng.h"

namespace deepsim {

// Per source GPU (index within the EP group), the destination GPUs of each of its tokens.
struct TokenRouting {
  // destinations[src] holds, for each token of src, a run of destination GPU indices; offsets[src] has
  // tokens+1 entries delimiting the runs. Duplicates inside a run are allowed (several experts on one
  // GPU) and count once.
  std::vector<std::vector<std::uint16_t>> destinations;
  std::vector<std::vector<std::uint32_t>> offsets;

  [[nodiscard]] std::size_t gpus() const { return destinations.size(); }
  [[nodiscard]] std::size_t tokens(std::size_t src) const { return offsets[src].empty() ? 0 : offsets[src].size() - 1; }
};

struct GroupLimitedTopK {
  int experts = 256;        // routed experts
  int expert_groups = 8;    // groups of consecutive experts (one per node under EP64 on 8 nodes)
  int limited_groups = 4;   // groups one token may use (the node limit M)
  int top_k = 8;            // experts per token
};

// Throws InputError when the shape is inconsistent (groups not dividing the experts, k larger than the
// experts of the allowed groups, experts not spread evenly over `gpus`).
[[nodiscard]] TokenRouting sample_group_limited_routing(const GroupLimitedTopK& shape, int gpus, int tokens_per_gpu,
                                                        Rng& rng);

// The closed form above.
[[nodiscard]] double expected_groups_per_token(const GroupLimitedTopK& shape);

}  // namespace deepsim
