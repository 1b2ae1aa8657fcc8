// Shapes shared by the moe tests: DeepSeek-V3's router (R8) on EP64 over 8 nodes (R12), and a small
// model that keeps multi-step dynamics tests fast.
#pragma once

#include "sim/model/model_spec.h"
#include "sim/moe/ep_layout.h"

namespace deepsim::moe_test {

inline MoeSpec v3_moe() {
  MoeSpec m;
  m.routed_experts = 256;
  m.shared_experts = 1;
  m.expert_intermediate = 2048;
  m.top_k = 8;
  m.expert_groups = 8;
  m.limited_groups = 4;
  m.router_bias = true;
  return m;
}

// 32 experts in 4 groups, 2 allowed, top-4: the same structure at an eighth of the size.
inline MoeSpec small_moe() {
  MoeSpec m = v3_moe();
  m.routed_experts = 32;
  m.top_k = 4;
  m.expert_groups = 4;
  m.limited_groups = 2;
  return m;
}

inline constexpr EpLayout kEp64{64, 8};
inline constexpr EpLayout kEp8On4Nodes{8, 2};

}  // namespace deepsim::moe_test
