// moe_permute step 4: x_perm[row] = x[perm_token[row]], one CTA per permuted row, 16-byte vectors.
#include <cuda_runtime.h>

#include "kernels/check.h"
#include "kernels/moe_permute.h"
#include "moe_permute_launch.h"

namespace deepsim::kernels::moe_detail {
namespace {

constexpr int kThreads = 128;
constexpr int kVec = 8;  // bf16 per uint4

__global__ void __launch_bounds__(kThreads) moe_permute_gather_kernel(const MoePermuteParams p) {
  const long row = blockIdx.x;
  const long token = p.perm_token[row];
  const auto* src = reinterpret_cast<const uint4*>(p.x + token * p.hidden);
  auto* dst = reinterpret_cast<uint4*>(p.x_perm + row * p.hidden);
  for (int i = static_cast<int>(threadIdx.x); i < p.hidden / kVec; i += kThreads) dst[i] = src[i];
}

}  // namespace

void launch_permute_gather(const MoePermuteParams& p, cudaStream_t stream) {
  const long rows = static_cast<long>(p.num_tokens) * p.top_k;
  moe_permute_gather_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels::moe_detail
