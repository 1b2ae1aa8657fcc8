// Cross-entropy over a large vocabulary (DeepSeek-V3: 129,280) with BF16 logits: per row an online max/sum
// pass (FP32), the FP32 loss, then a second pass overwriting the logits with their gradient.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace deepsim::kernels {

inline constexpr int32_t kCrossEntropyIgnore = -1;  // target value for padded tokens

struct CrossEntropyParams {
  __nv_bfloat16* logits = nullptr;   // [rows, vocab] in: logits z; out: dL/dz = grad_scale * (softmax(z) - onehot)
  const int32_t* targets = nullptr;  // [rows] in [0, vocab), or kCrossEntropyIgnore (loss 0, gradient 0)
  float* loss = nullptr;             // [rows] FP32 output: logsumexp(z) - z[target] (NaN if target out of range)
  int rows = 0;
  int vocab = 0;
  float grad_scale = 1.f;            // e.g. 1 / (number of non-ignored tokens) for a mean loss
};

// One CTA per row; 16-byte loads when vocab % 8 == 0, scalar otherwise.
void cross_entropy_forward_backward(const CrossEntropyParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels
