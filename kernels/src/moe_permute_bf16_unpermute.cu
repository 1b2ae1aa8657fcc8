// moe_unpermute (moe_permute.h): out[t] = sum_k gate[t,k] * y_perm[perm_row[t,k]]. One CTA per token; each
// thread owns 8 channels (one 16-byte vector), accumulates the k rows in FP32 and rounds once.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

#include "kernels/check.h"
#include "kernels/moe_permute.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 128;
constexpr int kVec = 8;

__global__ void __launch_bounds__(kThreads) moe_unpermute_kernel(const MoeUnpermuteParams p) {
  __shared__ int rows[kMoePermuteMaxTopK];
  __shared__ float gates[kMoePermuteMaxTopK];
  const long t = blockIdx.x;
  if (threadIdx.x < static_cast<unsigned>(p.top_k)) {
    rows[threadIdx.x] = p.perm_row[t * p.top_k + threadIdx.x];
    gates[threadIdx.x] = p.gates[t * p.top_k + threadIdx.x];
  }
  __syncthreads();
  for (int i = static_cast<int>(threadIdx.x); i < p.hidden / kVec; i += kThreads) {
    float acc[kVec] = {};
    for (int k = 0; k < p.top_k; ++k) {
      const uint4 raw = reinterpret_cast<const uint4*>(p.y_perm + static_cast<long>(rows[k]) * p.hidden)[i];
      const auto* v = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
      for (int j = 0; j < kVec / 2; ++j) {
        const float2 f = __bfloat1622float2(v[j]);
        acc[2 * j] += gates[k] * f.x;
        acc[2 * j + 1] += gates[k] * f.y;
      }
    }
    uint4 out;
    auto* o = reinterpret_cast<__nv_bfloat162*>(&out);
#pragma unroll
    for (int j = 0; j < kVec / 2; ++j) o[j] = __floats2bfloat162_rn(acc[2 * j], acc[2 * j + 1]);
    reinterpret_cast<uint4*>(p.out + t * p.hidden)[i] = out;
  }
}

}  // namespace

void moe_unpermute(const MoeUnpermuteParams& p, cudaStream_t stream) {
  if (p.y_perm == nullptr || p.perm_row == nullptr || p.gates == nullptr || p.out == nullptr)
    throw std::invalid_argument("moe_unpermute: null pointer");
  if (p.num_tokens < 0 || p.top_k <= 0 || p.top_k > kMoePermuteMaxTopK || p.hidden <= 0 || p.hidden % kVec != 0)
    throw std::invalid_argument("moe_unpermute: bad shape (top_k <= 32, hidden % 8 == 0)");
  if (reinterpret_cast<std::uintptr_t>(p.y_perm) % 16 != 0 || reinterpret_cast<std::uintptr_t>(p.out) % 16 != 0)
    throw std::invalid_argument("moe_unpermute: y_perm and out must be 16-byte aligned");
  if (p.num_tokens == 0) return;
  moe_unpermute_kernel<<<p.num_tokens, kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
