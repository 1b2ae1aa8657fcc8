// AdamW step (adamw.h): FP32 master weights and gradients, BF16 moments, BF16 compute weights out.
// Elementwise, grid-stride; the bias corrections are computed once on the host in FP64.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <stdexcept>

#include "kernels/adamw.h"
#include "kernels/check.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 256;

struct BiasCorrection {
  float inv_bc1;       // 1 / (1 - beta1^t)
  float inv_sqrt_bc2;  // 1 / sqrt(1 - beta2^t)
};

__global__ void __launch_bounds__(kThreads) adamw_kernel(const AdamWParams p, BiasCorrection bc) {
  const float decay = 1.f - p.lr * p.weight_decay;
  for (long i = static_cast<long>(blockIdx.x) * kThreads + threadIdx.x; i < p.n;
       i += static_cast<long>(gridDim.x) * kThreads) {
    const float g = p.grad[i];
    const float m = p.beta1 * __bfloat162float(p.m[i]) + (1.f - p.beta1) * g;
    const float v = p.beta2 * __bfloat162float(p.v[i]) + (1.f - p.beta2) * g * g;
    const float update = (m * bc.inv_bc1) / (sqrtf(v) * bc.inv_sqrt_bc2 + p.eps);
    const float w = p.master[i] * decay - p.lr * update;
    p.master[i] = w;
    p.m[i] = __float2bfloat16(m);
    p.v[i] = __float2bfloat16(v);
    p.weight_out[i] = __float2bfloat16(w);
  }
}

}  // namespace

void adamw_step(const AdamWParams& p, cudaStream_t stream) {
  if (p.master == nullptr || p.grad == nullptr || p.m == nullptr || p.v == nullptr || p.weight_out == nullptr)
    throw std::invalid_argument("adamw_step: null pointer");
  if (p.n < 0 || p.step < 1) throw std::invalid_argument("adamw_step: n >= 0 and a 1-based step are required");
  if (p.n == 0) return;
  const BiasCorrection bc{static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(p.beta1), p.step))),
                          static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(static_cast<double>(p.beta2), p.step)))};
  const long blocks = (p.n + kThreads - 1) / kThreads;
  adamw_kernel<<<static_cast<unsigned>(blocks < 65536 ? blocks : 65536), kThreads, 0, stream>>>(p, bc);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
