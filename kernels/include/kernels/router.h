// MoE router for DeepSeek-V3 (inference/model.py Gate.forward with score_func = "sigmoid"):
//   s_e = sigmoid(logit_e); b_e = s_e + bias_e (bias for selection only: aux-loss-free balancing);
//   group score = sum of the two largest b_e in the group; keep the `limited_groups` best groups;
//   top_k experts by b_e among them; gate_e = route_scale * s_e / sum of the selected s (unbiased).
// Ties resolve to the lower expert (or group) index, as router_reference does.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace deepsim::kernels {

inline constexpr int kRouterMaxExperts = 1024;  // smem per warp holds b_e for all experts
inline constexpr int kRouterMaxGroups = 32;     // one lane per group
inline constexpr int kRouterMaxTopK = 32;

struct RouterParams {
  const float* logits = nullptr;  // [num_tokens, num_experts] FP32 gate-GEMM output, row-major
  const float* bias = nullptr;    // [num_experts] FP32 selection bias
  int32_t* topk_idx = nullptr;    // [num_tokens, top_k] output: experts by descending biased score
  float* topk_gate = nullptr;     // [num_tokens, top_k] output: FP32 gates, each row sums to route_scale
  int num_tokens = 0;
  int num_experts = 256;          // divisible by num_groups, <= kRouterMaxExperts
  int num_groups = 8;             // <= kRouterMaxGroups, >= 2 experts per group
  int limited_groups = 4;         // groups kept per token, <= num_groups
  int top_k = 8;                  // <= limited_groups * experts per group, <= kRouterMaxTopK
  float route_scale = 2.5f;
};

// One warp per token. Throws std::invalid_argument on an inconsistent configuration.
void router_topk(const RouterParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels
