// moe_permute step 3: one warp per chunk of 32 tokens (lane = token). The row of (token, slot) is its
// chunk's first row for that expert plus the number of earlier tokens in the chunk that chose the same
// expert (experts are distinct within a token, so slots never tie).
#include <cuda_runtime.h>

#include "kernels/check.h"
#include "kernels/moe_permute.h"
#include "moe_permute_launch.h"

namespace deepsim::kernels::moe_detail {
namespace {

static_assert(kMoePermuteChunkTokens == 32, "one lane per token of a chunk");

__global__ void __launch_bounds__(32) moe_permute_index_kernel(const MoePermuteParams p) {
  __shared__ int experts[kMoePermuteChunkTokens][kMoePermuteMaxTopK];
  const int lane = static_cast<int>(threadIdx.x);
  const long token = static_cast<long>(blockIdx.x) * kMoePermuteChunkTokens + lane;
  const int valid = static_cast<int>(min(static_cast<long>(kMoePermuteChunkTokens),
                                         p.num_tokens - static_cast<long>(blockIdx.x) * kMoePermuteChunkTokens));
  if (lane < valid)
    for (int k = 0; k < p.top_k; ++k) experts[lane][k] = p.topk_idx[token * p.top_k + k];
  __syncwarp();
  if (lane >= valid) return;
  const int* chunk_start = p.workspace + static_cast<long>(blockIdx.x) * p.num_experts;
  for (int k = 0; k < p.top_k; ++k) {
    const int e = experts[lane][k];
    int rank = 0;
    for (int other = 0; other < lane; ++other)
      for (int j = 0; j < p.top_k; ++j) rank += experts[other][j] == e ? 1 : 0;
    const int row = chunk_start[e] + rank;
    p.perm_row[token * p.top_k + k] = row;
    p.perm_token[row] = static_cast<int>(token);
  }
}

}  // namespace

void launch_permute_index(const MoePermuteParams& p, cudaStream_t stream) {
  moe_permute_index_kernel<<<num_chunks(p.num_tokens), 32, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels::moe_detail
