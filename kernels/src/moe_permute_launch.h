// Internal: the four launches of moe_permute (one kernel per file), run in order by moe_permute.cpp.
//   workspace layout: [num_chunks][num_experts] int32 -- first the per-chunk counts, then (after the scan)
//   the first x_perm row of each (chunk, expert).
#pragma once

#include <cuda_runtime.h>

#include "kernels/moe_permute.h"

namespace deepsim::kernels::moe_detail {

[[nodiscard]] inline int num_chunks(int num_tokens) {
  return (num_tokens + kMoePermuteChunkTokens - 1) / kMoePermuteChunkTokens;
}

void launch_permute_count(const MoePermuteParams& p, cudaStream_t stream);   // moe_permute_i32_count.cu
void launch_permute_scan(const MoePermuteParams& p, cudaStream_t stream);    // moe_permute_i32_scan.cu
void launch_permute_index(const MoePermuteParams& p, cudaStream_t stream);   // moe_permute_i32_index.cu
void launch_permute_gather(const MoePermuteParams& p, cudaStream_t stream);  // moe_permute_bf16_gather.cu

}  // namespace deepsim::kernels::moe_detail
