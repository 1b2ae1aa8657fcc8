// RMSNorm backward, input gradient (rmsnorm.h): one CTA per row,
//   c = mean_j(w_j dy_j xhat_j),  dx_j = rstd * (w_j dy_j - xhat_j c),  xhat = x * rstd.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <stdexcept>

#include "kernels/check.h"
#include "kernels/rmsnorm.h"
#include "rmsnorm_launch.h"

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
  for (int w = 0; w < kWarps; ++w) total += partial[w];
  return total;
}

__global__ void __launch_bounds__(kThreads) rmsnorm_bwd_dx_kernel(const RmsNormBwdParams p) {
  const long row = blockIdx.x;
  const __nv_bfloat16* x = p.x + row * p.x_stride;
  const __nv_bfloat16* dy = p.dy + row * p.dy_stride;
  const float rstd = p.rstd[row];
  float acc = 0.f;
  for (int j = static_cast<int>(threadIdx.x); j < p.hidden; j += kThreads)
    acc += __bfloat162float(p.weight[j]) * __bfloat162float(dy[j]) * __bfloat162float(x[j]);
  const float c = block_sum(acc) * rstd / static_cast<float>(p.hidden);
  __nv_bfloat16* dx = p.dx + row * p.dx_stride;
  for (int j = static_cast<int>(threadIdx.x); j < p.hidden; j += kThreads) {
    const float xhat = __bfloat162float(x[j]) * rstd;
    dx[j] = __float2bfloat16(rstd * (__bfloat162float(p.weight[j]) * __bfloat162float(dy[j]) - xhat * c));
  }
}

}  // namespace

void rmsnorm_backward(const RmsNormBwdParams& p, cudaStream_t stream) {
  if (p.x == nullptr || p.weight == nullptr || p.dy == nullptr || p.rstd == nullptr || p.dx == nullptr ||
      p.dweight == nullptr)
    throw std::invalid_argument("rmsnorm_backward: null pointer");
  if (p.rows < 0 || p.hidden <= 0 || p.x_stride < p.hidden || p.dy_stride < p.hidden || p.dx_stride < p.hidden)
    throw std::invalid_argument("rmsnorm_backward: bad shape (strides >= hidden > 0)");
  if (p.rows > 0) {
    rmsnorm_bwd_dx_kernel<<<p.rows, kThreads, 0, stream>>>(p);
    DEEPSIM_LAUNCH_CHECK();
  }
  rmsnorm_detail::launch_rmsnorm_bwd_dweight(p, stream);  // writes zeros when rows == 0
}

}  // namespace deepsim::kernels
