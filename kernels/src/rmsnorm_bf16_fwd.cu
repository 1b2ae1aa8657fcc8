// RMSNorm forward (rmsnorm.h): one CTA per row; pass 1 sums x^2 in FP32, pass 2 writes x * rstd * w.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <stdexcept>

#include "kernels/check.h"
#include "kernels/rmsnorm.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

__device__ float block_sum(float x) {
  __shared__ float partial[kWarps];
  for (int off = 16; off > 0; off /= 2) x += __shfl_xor_sync(0xffffffffu, x, off);
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = x;
  __syncthreads();
  float total = 0.f;
  for (int w = 0; w < kWarps; ++w) total += partial[w];  // same order in every thread
  return total;
}

__global__ void __launch_bounds__(kThreads) rmsnorm_fwd_kernel(const RmsNormFwdParams p) {
  const long row = blockIdx.x;
  const __nv_bfloat16* x = p.x + row * p.x_stride;
  float sq = 0.f;
  for (int j = static_cast<int>(threadIdx.x); j < p.hidden; j += kThreads) {
    const float v = __bfloat162float(x[j]);
    sq += v * v;
  }
  const float rstd = rsqrtf(block_sum(sq) / static_cast<float>(p.hidden) + p.eps);
  if (threadIdx.x == 0) p.rstd[row] = rstd;
  __nv_bfloat16* y = p.y + row * p.y_stride;
  for (int j = static_cast<int>(threadIdx.x); j < p.hidden; j += kThreads)
    y[j] = __float2bfloat16(__bfloat162float(x[j]) * rstd * __bfloat162float(p.weight[j]));
}

}  // namespace

void rmsnorm_forward(const RmsNormFwdParams& p, cudaStream_t stream) {
  if (p.x == nullptr || p.weight == nullptr || p.y == nullptr || p.rstd == nullptr)
    throw std::invalid_argument("rmsnorm_forward: null pointer");
  if (p.rows < 0 || p.hidden <= 0 || p.x_stride < p.hidden || p.y_stride < p.hidden)
    throw std::invalid_argument("rmsnorm_forward: bad shape (strides >= hidden > 0)");
  if (p.rows == 0) return;
  rmsnorm_fwd_kernel<<<p.rows, kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
