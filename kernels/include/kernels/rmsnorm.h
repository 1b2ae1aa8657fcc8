// RMSNorm forward and backward: y = x * rstd * w, rstd = 1/sqrt(mean(x^2) + eps), eps = 1e-6 (DeepSeek-V3).
// BF16 activations and weight, FP32 statistics; the weight gradient is FP32 (R17: gradients are FP32).
// Row strides let the kernels read the latent straight out of the kv_a output ([T, 576], first 512 values).
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace deepsim::kernels {

inline constexpr float kRmsNormEps = 1e-6f;

struct RmsNormFwdParams {
  const __nv_bfloat16* x = nullptr;       // [rows][x_stride], the first `hidden` values of each row are used
  const __nv_bfloat16* weight = nullptr;  // [hidden]
  __nv_bfloat16* y = nullptr;             // [rows][y_stride] output
  float* rstd = nullptr;                  // [rows] output, saved for the backward
  long x_stride = 0;                      // elements between rows of x (>= hidden)
  long y_stride = 0;                      // elements between rows of y (>= hidden)
  int rows = 0;
  int hidden = 0;
  float eps = kRmsNormEps;
};

void rmsnorm_forward(const RmsNormFwdParams& p, cudaStream_t stream);

struct RmsNormBwdParams {
  const __nv_bfloat16* x = nullptr;       // [rows][x_stride] forward input
  const __nv_bfloat16* weight = nullptr;  // [hidden]
  const __nv_bfloat16* dy = nullptr;      // [rows][dy_stride]
  const float* rstd = nullptr;            // [rows] from the forward
  __nv_bfloat16* dx = nullptr;            // [rows][dx_stride] output
  float* dweight = nullptr;               // [hidden] FP32 output, overwritten (not accumulated)
  long x_stride = 0;
  long dy_stride = 0;
  long dx_stride = 0;
  int rows = 0;
  int hidden = 0;
};

// Two launches: dx (one CTA per row) and dweight (column blocks summing over rows; deterministic).
void rmsnorm_backward(const RmsNormBwdParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels
