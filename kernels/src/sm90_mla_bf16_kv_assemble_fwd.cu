// MLA glue forward (attention_mla_glue.h): kv_b [T, H, 256] + shared k_rope -> k [T, H, 192], v [T, H, 128].
// One CTA per token; 16-byte vectors (8 bf16): per head 16 k_nope + 8 k_rope + 16 v vectors.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

#include "kernels/attention.h"
#include "kernels/attention_mla_glue.h"
#include "kernels/check.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kVec = 8;                                   // bf16 per 16-byte vector
constexpr int kNopeVecs = kMlaQkNopeDim / kVec;           // 16
constexpr int kRopeVecs = kMlaQkRopeDim / kVec;           // 8
constexpr int kVVecs = kMlaVHeadDim / kVec;               // 16
constexpr int kKvBWidth = kMlaQkNopeDim + kMlaVHeadDim;   // 256
constexpr int kVecsPerHead = kNopeVecs + kRopeVecs + kVVecs;
static_assert(kMlaQkNopeDim % kVec == 0 && kMlaQkRopeDim % kVec == 0 && kMlaVHeadDim % kVec == 0,
              "every part must be whole 16-byte vectors");

__global__ void __launch_bounds__(kThreads) mla_kv_assemble_fwd_kernel(const MlaKvAssembleFwdParams p) {
  const long t = blockIdx.x;
  for (int item = static_cast<int>(threadIdx.x); item < p.heads * kVecsPerHead; item += kThreads) {
    const long th = t * p.heads + item / kVecsPerHead;
    const int part = item % kVecsPerHead;
    const uint4* src;
    uint4* dst;
    if (part < kNopeVecs) {
      src = reinterpret_cast<const uint4*>(p.kv_b + th * kKvBWidth) + part;
      dst = reinterpret_cast<uint4*>(p.k + th * kMlaQkHeadDim) + part;
    } else if (part < kNopeVecs + kRopeVecs) {  // the shared key, broadcast to every head
      src = reinterpret_cast<const uint4*>(p.k_rope + t * p.k_rope_stride) + (part - kNopeVecs);
      dst = reinterpret_cast<uint4*>(p.k + th * kMlaQkHeadDim + kMlaQkNopeDim) + (part - kNopeVecs);
    } else {
      src = reinterpret_cast<const uint4*>(p.kv_b + th * kKvBWidth + kMlaQkNopeDim) + (part - kNopeVecs - kRopeVecs);
      dst = reinterpret_cast<uint4*>(p.v + th * kMlaVHeadDim) + (part - kNopeVecs - kRopeVecs);
    }
    *dst = *src;
  }
}

}  // namespace

void mla_kv_assemble_forward(const MlaKvAssembleFwdParams& p, cudaStream_t stream) {
  if (p.kv_b == nullptr || p.k_rope == nullptr || p.k == nullptr || p.v == nullptr || p.tokens < 0 || p.heads <= 0)
    throw std::invalid_argument("mla_kv_assemble_forward: null pointer or bad shape");
  const auto misaligned = [](const void* ptr) { return reinterpret_cast<std::uintptr_t>(ptr) % 16 != 0; };
  if (misaligned(p.kv_b) || misaligned(p.k_rope) || misaligned(p.k) || misaligned(p.v) || p.k_rope_stride % kVec != 0)
    throw std::invalid_argument("mla_kv_assemble_forward: tensors and k_rope rows must be 16-byte aligned");
  if (p.tokens == 0) return;
  mla_kv_assemble_fwd_kernel<<<p.tokens, kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
