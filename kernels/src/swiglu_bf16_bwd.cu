// SwiGLU backward (swiglu.h): dg = dh * u * sig(g) * (1 + g (1 - sig(g))), du = dh * g * sig(g). FP32 math.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <stdexcept>

#include "kernels/check.h"
#include "kernels/swiglu.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) swiglu_bwd_kernel(const SwiGluBwdParams p) {
  const long total = static_cast<long>(p.rows) * p.cols;
  for (long i = static_cast<long>(blockIdx.x) * kThreads + threadIdx.x; i < total;
       i += static_cast<long>(gridDim.x) * kThreads) {
    const long r = i / p.cols;
    const long c = i % p.cols;
    const float g = __bfloat162float(p.gate[r * p.in_stride + c]);
    const float u = __bfloat162float(p.up[r * p.in_stride + c]);
    const float dh = __bfloat162float(p.dout[r * p.dout_stride + c]);
    const float sig = 1.f / (1.f + expf(-g));
    p.dgate[r * p.grad_stride + c] = __float2bfloat16(dh * u * sig * (1.f + g * (1.f - sig)));
    p.dup[r * p.grad_stride + c] = __float2bfloat16(dh * g * sig);
  }
}

}  // namespace

void swiglu_backward(const SwiGluBwdParams& p, cudaStream_t stream) {
  if (p.gate == nullptr || p.up == nullptr || p.dout == nullptr || p.dgate == nullptr || p.dup == nullptr)
    throw std::invalid_argument("swiglu_backward: null pointer");
  if (p.rows < 0 || p.cols < 0 || p.in_stride < p.cols || p.dout_stride < p.cols || p.grad_stride < p.cols)
    throw std::invalid_argument("swiglu_backward: bad shape (strides >= cols)");
  const long total = static_cast<long>(p.rows) * p.cols;
  if (total == 0) return;
  const long blocks = (total + kThreads - 1) / kThreads;
  swiglu_bwd_kernel<<<static_cast<unsigned>(blocks < 65536 ? blocks : 65536), kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels
