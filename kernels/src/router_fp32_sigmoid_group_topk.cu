// Group-limited sigmoid top-k router (router.h). One warp per token:
//   1. lanes stride over experts: s_e = sigmoid(logit_e), b_e = s_e + bias_e into this warp's smem rows;
//   2. lane g < num_groups scores group g as the sum of its two largest b_e;
//   3. limited_groups rounds of warp argmax pick the groups (bit mask);
//   4. top_k rounds of warp argmax over the allowed experts pick the experts (winner's b_e set to -inf);
//   5. gates = route_scale * s_e / sum of the selected s_e.
// Every argmax breaks ties to the lower index, like router_reference.
#include <cuda_runtime.h>

#include <stdexcept>

#include "kernels/check.h"
#include "kernels/router.h"

namespace deepsim::kernels {
namespace {

constexpr int kWarpsPerBlock = 4;
constexpr int kThreads = kWarpsPerBlock * 32;
static_assert(kRouterMaxGroups <= 32, "group scores live one per lane");
static_assert(kRouterMaxTopK <= 32, "selected experts live one per lane");

// Butterfly argmax: every lane ends with the (value, index) maximum; ties go to the lower index.
__device__ __forceinline__ void warp_argmax(float& value, int& index) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) {
    const float other_value = __shfl_xor_sync(0xffffffffu, value, offset);
    const int other_index = __shfl_xor_sync(0xffffffffu, index, offset);
    if (other_value > value || (other_value == value && other_index < index)) {
      value = other_value;
      index = other_index;
    }
  }
}

__global__ void __launch_bounds__(kThreads) router_topk_kernel(const RouterParams p) {
  extern __shared__ float smem[];  // per warp: score[E], biased[E]
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const long token = static_cast<long>(blockIdx.x) * kWarpsPerBlock + warp;
  if (token >= p.num_tokens) return;  // whole warp leaves; no block-level barrier below
  const int E = p.num_experts;
  float* score = smem + static_cast<long>(warp) * 2 * E;
  float* biased = score + E;

  for (int e = lane; e < E; e += 32) {
    const float s = 1.f / (1.f + expf(-p.logits[token * E + e]));
    score[e] = s;
    biased[e] = s + p.bias[e];
  }
  __syncwarp();

  const int group_size = E / p.num_groups;
  float group_score = -INFINITY;
  if (lane < p.num_groups) {
    float top1 = -INFINITY;
    float top2 = -INFINITY;
    for (int j = 0; j < group_size; ++j) {
      const float b = biased[lane * group_size + j];
      if (b > top1) {
        top2 = top1;
        top1 = b;
      } else if (b > top2) {
        top2 = b;
      }
    }
    group_score = top1 + top2;
  }
  unsigned group_mask = 0;
  for (int round = 0; round < p.limited_groups; ++round) {
    float value = group_score;
    int index = lane;
    warp_argmax(value, index);
    group_mask |= 1u << index;
    if (lane == index) group_score = -INFINITY;
  }

  int my_expert = 0;  // lane k keeps the k-th selected expert
  float selected_sum = 0.f;
  for (int k = 0; k < p.top_k; ++k) {
    float value = -INFINITY;
    int index = E;  // larger than any expert: loses every tie
    for (int e = lane; e < E; e += 32) {
      if ((group_mask >> (e / group_size) & 1u) && biased[e] > value) {
        value = biased[e];
        index = e;
      }
    }
    warp_argmax(value, index);
    if (lane == k) my_expert = index;
    selected_sum += score[index];
    __syncwarp();
    if (lane == 0) biased[index] = -INFINITY;
    __syncwarp();
  }
  if (lane < p.top_k) {
    p.topk_idx[token * p.top_k + lane] = my_expert;
    p.topk_gate[token * p.top_k + lane] = p.route_scale * score[my_expert] / selected_sum;
  }
}

}  // namespace

void router_topk(const RouterParams& p, cudaStream_t stream) {
  if (p.logits == nullptr || p.bias == nullptr || p.topk_idx == nullptr || p.topk_gate == nullptr)
    throw std::invalid_argument("router_topk: null pointer");
  if (p.num_tokens < 0 || p.num_experts <= 0 || p.num_experts > kRouterMaxExperts || p.num_groups <= 0 ||
      p.num_groups > kRouterMaxGroups || p.num_experts % p.num_groups != 0 || p.num_experts / p.num_groups < 2 ||
      p.limited_groups <= 0 || p.limited_groups > p.num_groups || p.top_k <= 0 || p.top_k > kRouterMaxTopK ||
      p.top_k > p.limited_groups * (p.num_experts / p.num_groups))
    throw std::invalid_argument("router_topk: inconsistent router configuration");
  if (p.num_tokens == 0) return;
  const auto blocks = static_cast<unsigned>((p.num_tokens + kWarpsPerBlock - 1) / kWarpsPerBlock);
  const size_t smem = sizeof(float) * 2 * static_cast<size_t>(p.num_experts) * kWarpsPerBlock;
  router_topk_kernel<<<blocks, kThreads, smem, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
