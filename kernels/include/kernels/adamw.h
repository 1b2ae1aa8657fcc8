// AdamW step with DeepSeek-V3's precision (R17): FP32 master weights and gradients, BF16 first and second
// moments, BF16 compute weights written alongside. Decoupled weight decay in PyTorch's order:
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2   (FP32 math, then stored as bf16)
//   w = w (1 - lr wd) - lr * (m / bc1) / (sqrt(v / bc2) + eps),  bc1 = 1 - b1^t, bc2 = 1 - b2^t
// The update uses the FP32 m and v of this step; only the stored moments are rounded.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace deepsim::kernels {

struct AdamWParams {
  float* master = nullptr;               // [n] FP32 master weights, updated in place
  const float* grad = nullptr;           // [n] FP32 gradient
  __nv_bfloat16* m = nullptr;            // [n] BF16 first moment, updated in place
  __nv_bfloat16* v = nullptr;            // [n] BF16 second moment, updated in place
  __nv_bfloat16* weight_out = nullptr;   // [n] BF16 compute weights = round(master) after the step
  long n = 0;
  float lr = 0.f;                        // learning rate of this step
  float beta1 = 0.9f;
  float beta2 = 0.95f;
  float eps = 1e-8f;
  float weight_decay = 0.1f;
  int step = 1;                          // 1-based step number t for the bias corrections
};

void adamw_step(const AdamWParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels
