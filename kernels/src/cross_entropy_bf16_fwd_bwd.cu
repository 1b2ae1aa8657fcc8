// Cross-entropy forward + backward in one kernel (cross_entropy.h). One CTA per row:
//   pass 1: per-thread online (max, sum of exp(z - max)) over its logits, merged across the CTA -> lse;
//           thread 0 also reads z[target] (before pass 2 overwrites it);
//   pass 2: z_j <- grad_scale * (exp(z_j - lse) - [j == target]) in place.
// 16-byte vectors of 8 bf16 when vocab % 8 == 0 (rows then stay 16-byte aligned), scalars otherwise.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

#include "kernels/check.h"
#include "kernels/cross_entropy.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 512;
constexpr int kWarps = kThreads / 32;
constexpr int kVec = 8;

struct MaxSum {
  float max;
  float sum;  // sum of exp(z - max)
};

__device__ __forceinline__ MaxSum merge(MaxSum a, MaxSum b) {
  const float m = fmaxf(a.max, b.max);
  if (m == -INFINITY) return {m, 0.f};
  return {m, a.sum * expf(a.max - m) + b.sum * expf(b.max - m)};
}

__device__ __forceinline__ void accumulate(MaxSum& s, float z) {
  if (z > s.max) {
    s.sum = s.sum * expf(s.max - z) + 1.f;
    s.max = z;
  } else {
    s.sum += expf(z - s.max);
  }
}

template <bool kVectorized>
__global__ void __launch_bounds__(kThreads) cross_entropy_kernel(const CrossEntropyParams p) {
  __shared__ MaxSum partial[kWarps];
  __shared__ float target_logit;
  const long row = blockIdx.x;
  __nv_bfloat16* z = p.logits + row * p.vocab;
  const int target = p.targets[row];
  const bool ignored = target == kCrossEntropyIgnore;

  MaxSum local{-INFINITY, 0.f};
  if (!ignored) {
    if constexpr (kVectorized) {
      for (int i = static_cast<int>(threadIdx.x); i < p.vocab / kVec; i += kThreads) {
        const uint4 raw = reinterpret_cast<const uint4*>(z)[i];
        const auto* v = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
        for (int j = 0; j < kVec / 2; ++j) {
          const float2 f = __bfloat1622float2(v[j]);
          accumulate(local, f.x);
          accumulate(local, f.y);
        }
      }
    } else {
      for (int j = static_cast<int>(threadIdx.x); j < p.vocab; j += kThreads) accumulate(local, __bfloat162float(z[j]));
    }
  }
  for (int off = 16; off > 0; off /= 2) {
    const MaxSum other{__shfl_xor_sync(0xffffffffu, local.max, off), __shfl_xor_sync(0xffffffffu, local.sum, off)};
    local = merge(local, other);
  }
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = local;
  if (threadIdx.x == 0) {
    const bool in_range = target >= 0 && target < p.vocab;
    target_logit = in_range ? __bfloat162float(z[target]) : __int_as_float(0x7fc00000);
  }
  __syncthreads();  // also orders the target read before pass 2's writes
  MaxSum total{-INFINITY, 0.f};
  for (int w = 0; w < kWarps; ++w) total = merge(total, partial[w]);
  const float lse = total.max + logf(total.sum);
  if (threadIdx.x == 0) p.loss[row] = ignored ? 0.f : lse - target_logit;

  const float scale = ignored ? 0.f : p.grad_scale;
  const auto grad = [&](float zj, int j) {
    return __float2bfloat16(scale * (expf(zj - lse) - (j == target ? 1.f : 0.f)));
  };
  if constexpr (kVectorized) {
    for (int i = static_cast<int>(threadIdx.x); i < p.vocab / kVec; i += kThreads) {
      uint4 raw = reinterpret_cast<const uint4*>(z)[i];
      auto* v = reinterpret_cast<__nv_bfloat16*>(&raw);
#pragma unroll
      for (int j = 0; j < kVec; ++j) v[j] = ignored ? __float2bfloat16(0.f) : grad(__bfloat162float(v[j]), i * kVec + j);
      reinterpret_cast<uint4*>(z)[i] = raw;
    }
  } else {
    for (int j = static_cast<int>(threadIdx.x); j < p.vocab; j += kThreads)
      z[j] = ignored ? __float2bfloat16(0.f) : grad(__bfloat162float(z[j]), j);
  }
}

}  // namespace

void cross_entropy_forward_backward(const CrossEntropyParams& p, cudaStream_t stream) {
  if (p.logits == nullptr || p.targets == nullptr || p.loss == nullptr)
    throw std::invalid_argument("cross_entropy_forward_backward: null pointer");
  if (p.rows < 0 || p.vocab <= 0) throw std::invalid_argument("cross_entropy_forward_backward: bad shape");
  if (p.rows == 0) return;
  const bool vectorized = p.vocab % kVec == 0 && reinterpret_cast<std::uintptr_t>(p.logits) % 16 == 0;
  if (vectorized) {
    cross_entropy_kernel<true><<<p.rows, kThreads, 0, stream>>>(p);
  } else {
    cross_entropy_kernel<false><<<p.rows, kThreads, 0, stream>>>(p);
  }
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
