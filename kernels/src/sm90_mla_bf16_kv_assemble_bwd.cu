// MLA glue backward (attention_mla_glue.h): dk [T, H, 192], dv [T, H, 128] -> dkv_b [T, H, 256] and the
// shared key's gradient dk_rope[t] = sum over heads of dk[t, h, 128:192] (FP32 sum, one bf16 rounding).
// One CTA per token: the copy in 16-byte vectors, then 64 threads sum the rope part over heads.
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
constexpr int kVec = 8;
constexpr int kNopeVecs = kMlaQkNopeDim / kVec;
constexpr int kVVecs = kMlaVHeadDim / kVec;
constexpr int kKvBWidth = kMlaQkNopeDim + kMlaVHeadDim;
static_assert(kMlaQkRopeDim <= kThreads, "one thread per rope channel for the head sum");

__global__ void __launch_bounds__(kThreads) mla_kv_assemble_bwd_kernel(const MlaKvAssembleBwdParams p) {
  const long t = blockIdx.x;
  const int vecs_per_head = kNopeVecs + kVVecs;
  for (int item = static_cast<int>(threadIdx.x); item < p.heads * vecs_per_head; item += kThreads) {
    const long th = t * p.heads + item / vecs_per_head;
    const int part = item % vecs_per_head;
    const uint4* src = part < kNopeVecs ? reinterpret_cast<const uint4*>(p.dk + th * kMlaQkHeadDim) + part
                                        : reinterpret_cast<const uint4*>(p.dv + th * kMlaVHeadDim) + (part - kNopeVecs);
    reinterpret_cast<uint4*>(p.dkv_b + th * kKvBWidth)[part] = *src;
  }
  if (threadIdx.x < kMlaQkRopeDim) {
    float acc = 0.f;
    for (int h = 0; h < p.heads; ++h)
      acc += __bfloat162float(p.dk[(t * p.heads + h) * kMlaQkHeadDim + kMlaQkNopeDim + threadIdx.x]);
    p.dk_rope[t * p.dk_rope_stride + threadIdx.x] = __float2bfloat16(acc);
  }
}

}  // namespace

void mla_kv_assemble_backward(const MlaKvAssembleBwdParams& p, cudaStream_t stream) {
  if (p.dk == nullptr || p.dv == nullptr || p.dkv_b == nullptr || p.dk_rope == nullptr || p.tokens < 0 || p.heads <= 0)
    throw std::invalid_argument("mla_kv_assemble_backward: null pointer or bad shape");
  const auto misaligned = [](const void* ptr) { return reinterpret_cast<std::uintptr_t>(ptr) % 16 != 0; };
  if (misaligned(p.dk) || misaligned(p.dv) || misaligned(p.dkv_b))
    throw std::invalid_argument("mla_kv_assemble_backward: dk, dv, dkv_b must be 16-byte aligned");
  if (p.tokens == 0) return;
  mla_kv_assemble_bwd_kernel<<<p.tokens, kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
