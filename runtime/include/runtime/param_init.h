// Deterministic initialisation of the flat parameter buffers: matrices N(0, init_std), norms 1. Each tensor
// (and each routed expert's slice, by its global expert id) draws from its own stream, so a sharded model
// (pipeline stage, expert-parallel rank) starts from exactly the weights of the unsharded one.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/param_layout.h"

namespace deepsim::runtime {

// Fills groups[g] (resized to layout.group_size(g)) for g in 0..kParamGroups-1; padding is zero.
void init_params(const ParamLayout& layout, std::uint64_t seed, float init_std, std::vector<float>* groups);

}  // namespace deepsim::runtime
