// SwiGLU forward (swiglu.h): h = silu(g) * u elementwise, FP32 math, one bf16 rounding.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <stdexcept>

#include "kernels/check.h"
#include "kernels/swiglu.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) swiglu_fwd_kernel(const SwiGluFwdParams p) {
  const long total = static_cast<long>(p.rows) * p.cols;
  for (long i = static_cast<long>(blockIdx.x) * kThreads + threadIdx.x; i < total;
       i += static_cast<long>(gridDim.x) * kThreads) {
    const long r = i / p.cols;
    const long c = i % p.cols;
    const float g = __bfloat162float(p.gate[r * p.in_stride + c]);
    const float u = __bfloat162float(p.up[r * p.in_stride + c]);
    p.out[r * p.out_stride + c] = __float2bfloat16(g / (1.f + expf(-g)) * u);
  }
}

}  // namespace

void swiglu_forward(const SwiGluFwdParams& p, cudaStream_t stream) {
  if (p.gate == nullptr || p.up == nullptr || p.out == nullptr) throw std::invalid_argument("swiglu_forward: null pointer");
  if (p.rows < 0 || p.cols < 0 || p.in_stride < p.cols || p.out_stride < p.cols)
    throw std::invalid_argument("swiglu_forward: bad shape (strides >= cols)");
  const long total = static_cast<long>(p.rows) * p.cols;
  if (total == 0) return;
  const long blocks = (total + kThreads - 1) / kThreads;
  swiglu_fwd_kernel<<<static_cast<unsigned>(blocks < 65536 ? blocks : 65536), kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
