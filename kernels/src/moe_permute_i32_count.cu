// moe_permute step 1: per chunk of 32 tokens, how many (token, slot) entries go to each expert.
// Shared-memory histogram; the order of the atomics does not matter (counts only).
#include <cuda_runtime.h>

#include "kernels/check.h"
#include "kernels/moe_permute.h"
#include "moe_permute_launch.h"

namespace deepsim::kernels::moe_detail {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) moe_permute_count_kernel(const MoePermuteParams p) {
  __shared__ int hist[kMoePermuteMaxExperts];
  for (int e = static_cast<int>(threadIdx.x); e < p.num_experts; e += kThreads) hist[e] = 0;
  __syncthreads();
  const long first = static_cast<long>(blockIdx.x) * kMoePermuteChunkTokens;
  const long last = min(first + kMoePermuteChunkTokens, static_cast<long>(p.num_tokens));
  for (long i = first * p.top_k + threadIdx.x; i < last * p.top_k; i += kThreads) atomicAdd(&hist[p.topk_idx[i]], 1);
  __syncthreads();
  for (int e = static_cast<int>(threadIdx.x); e < p.num_experts; e += kThreads)
    p.workspace[static_cast<long>(blockIdx.x) * p.num_experts + e] = hist[e];
}

}  // namespace

void launch_permute_count(const MoePermuteParams& p, cudaStream_t stream) {
  moe_permute_count_kernel<<<num_chunks(p.num_tokens), kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels::moe_detail
