// moe_permute step 2 (one CTA, one thread per expert): counts[e] = sum over chunks; offsets = exclusive scan
// of counts over experts; workspace[c][e] = offsets[e] + rows of expert e in chunks before c, i.e. the first
// x_perm row of (chunk c, expert e). Walking chunks in order is what makes the permutation stable.
#include <cuda_runtime.h>

#include "kernels/check.h"
#include "kernels/moe_permute.h"
#include "moe_permute_launch.h"

namespace deepsim::kernels::moe_detail {
namespace {

constexpr int kThreads = kMoePermuteMaxExperts;

__global__ void __launch_bounds__(kThreads) moe_permute_scan_kernel(const MoePermuteParams p, int chunks) {
  __shared__ int scan[kThreads];
  const int e = static_cast<int>(threadIdx.x);
  int running = 0;
  if (e < p.num_experts) {
    for (int c = 0; c < chunks; ++c) {
      int& slot = p.workspace[static_cast<long>(c) * p.num_experts + e];
      const int count = slot;
      slot = running;
      running += count;
    }
    p.expert_counts[e] = running;
  }
  scan[e] = running;  // inclusive Hillis-Steele scan over experts
  __syncthreads();
  for (int offset = 1; offset < kThreads; offset *= 2) {
    const int add = e >= offset ? scan[e - offset] : 0;
    __syncthreads();
    scan[e] += add;
    __syncthreads();
  }
  if (e < p.num_experts) {
    const int offset = scan[e] - running;  // exclusive
    p.expert_offsets[e] = offset;
    if (e == p.num_experts - 1) p.expert_offsets[p.num_experts] = scan[e];
    for (int c = 0; c < chunks; ++c) p.workspace[static_cast<long>(c) * p.num_experts + e] += offset;
  }
}

}  // namespace

void launch_permute_scan(const MoePermuteParams& p, cudaStream_t stream) {
  moe_permute_scan_kernel<<<1, kThreads, 0, stream>>>(p, num_chunks(p.num_tokens));
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels::moe_detail
