// The routing the step uses when no MoE load model is configured: every token of every GPU of an EP group
// picks `limited_groups` of the `expert_groups` groups uniformly at random, then `top_k` distinct experts
// uniformly among those groups' experts (the router with i.i.d. scores and zero bias). Experts are placed
// contiguously: expert e on EP rank e / (routed_experts / ep), so with EP64 group g is node g.
// Expected distinct destination nodes per token for DeepSeek-V3 (4 of 8 groups, 8 of 128 experts):
//   4 x (1 - C(96, 8) / C(128, 8)) = 3.63 (reference R24).
#pragma once

#include "sim/core/rng.h"
#include "sim/model/model_spec.h"
#include "sim/net/all_to_all_bound.h"

namespace deepsim {

[[nodiscard]] TokenRouting sample_uniform_routing(const ModelSpec& m, int ep, int tokens_per_gpu, Rng& rng);

}  // namespace deepsim
