// moe_permute: validates the params and runs count -> scan -> index -> gather (moe_permute_launch.h).
#include <cstdint>
#include <stdexcept>

#include "kernels/moe_permute.h"
#include "moe_permute_launch.h"

namespace deepsim::kernels {

void moe_permute(const MoePermuteParams& p, cudaStream_t stream) {
  if (p.topk_idx == nullptr || p.x == nullptr || p.x_perm == nullptr || p.expert_counts == nullptr ||
      p.expert_offsets == nullptr || p.perm_row == nullptr || p.perm_token == nullptr || p.workspace == nullptr)
    throw std::invalid_argument("moe_permute: null pointer");
  if (p.num_tokens < 0 || p.top_k <= 0 || p.top_k > kMoePermuteMaxTopK || p.num_experts <= 0 ||
      p.num_experts > kMoePermuteMaxExperts || p.hidden <= 0 || p.hidden % 8 != 0)
    throw std::invalid_argument("moe_permute: bad shape (top_k <= 32, experts <= 1024, hidden % 8 == 0)");
  if (reinterpret_cast<std::uintptr_t>(p.x) % 16 != 0 || reinterpret_cast<std::uintptr_t>(p.x_perm) % 16 != 0)
    throw std::invalid_argument("moe_permute: x and x_perm must be 16-byte aligned");
  if (p.num_tokens > 0) moe_detail::launch_permute_count(p, stream);
  moe_detail::launch_permute_scan(p, stream);  // also writes counts/offsets when there are no tokens
  if (p.num_tokens == 0) return;
  moe_detail::launch_permute_index(p, stream);
  moe_detail::launch_permute_gather(p, stream);
}

}  // namespace deepsim::kernels
