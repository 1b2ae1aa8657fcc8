// SwiGLU of the (shared and routed) expert MLPs: h = silu(g) * u, silu(g) = g * sigmoid(g). BF16 in/out, FP32
// math. gate and up may be the two halves of one fused [rows, 2F] GEMM output (strides in elements).
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace deepsim::kernels {

struct SwiGluFwdParams {
  const __nv_bfloat16* gate = nullptr;  // [rows][in_stride], first `cols` values used
  const __nv_bfloat16* up = nullptr;    // [rows][in_stride]
  __nv_bfloat16* out = nullptr;         // [rows][out_stride]
  long in_stride = 0;
  long out_stride = 0;
  int rows = 0;
  int cols = 0;
};
void swiglu_forward(const SwiGluFwdParams& p, cudaStream_t stream);

struct SwiGluBwdParams {
  const __nv_bfloat16* gate = nullptr;  // [rows][in_stride] forward inputs
  const __nv_bfloat16* up = nullptr;
  const __nv_bfloat16* dout = nullptr;  // [rows][dout_stride]
  __nv_bfloat16* dgate = nullptr;       // [rows][grad_stride]: dh * u * sig(g) * (1 + g (1 - sig(g)))
  __nv_bfloat16* dup = nullptr;         // [rows][grad_stride]: dh * silu(g)
  long in_stride = 0;
  long dout_stride = 0;
  long grad_stride = 0;
  int rows = 0;
  int cols = 0;
};
void swiglu_backward(const SwiGluBwdParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels
