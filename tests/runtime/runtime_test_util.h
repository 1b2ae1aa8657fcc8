// Shared helpers for the runtime tests: the tiny model of the finite-difference checks and file paths.
#pragma once

#include <string>

#include "runtime/config.h"

namespace deepsim::runtime::test {

// 2 layers (1 dense + 1 MoE: 4 routed experts in 2 groups, 1 group per token, top-2, 1 shared expert),
// MLA with small head sizes, MTP depth 1: every kind of parameter the model has, at sizes where a central
// difference per tensor costs milliseconds.
inline ModelConfig tiny_fd_model() {
  ModelConfig m;
  m.name = "fd-tiny";
  m.layers = 2;
  m.hidden = 16;
  m.vocab = 24;
  m.dense_intermediate = 12;
  m.heads = 2;
  m.q_lora_rank = 8;
  m.kv_lora_rank = 8;
  m.qk_nope = 4;
  m.qk_rope = 4;
  m.v_dim = 6;
  m.routed_experts = 4;
  m.shared_experts = 1;
  m.expert_intermediate = 8;
  m.top_k = 2;
  m.expert_groups = 2;
  m.limited_groups = 1;
  m.first_dense_layers = 1;
  m.router_bias = true;
  m.mtp_depth = 1;
  return m;
}

inline std::string source_path(const std::string& rel) { return std::string(DEEPSIM_SOURCE_DIR) + "/" + rel; }

}  // namespace deepsim::runtime::test
