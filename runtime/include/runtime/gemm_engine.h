// The three GEMMs of a Linear Y = X W^T (forward, data gradient, weight gradient) in BF16 or in DeepSeek-V3's
// FP8 recipe (R17: E4M3 inputs, activations 1x128-scaled, weights 128x128-scaled, FP32 accumulation with
// per-128 promotion, BF16 output; weight gradients FP32). Built on kernels-gemm's cuBLASLt wrapper
// (gemm_cublaslt.h) and quantisers (fp8_quant.h). The wrapper computes NT products only, so the BF16 path
// transposes into scratch (W^T for the data gradient, dY^T and X^T for the weight gradient) and the FP8 path
// uses the transposing quantisers. Weight gradients accumulate into the FP32 gradient buffer (+=).
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "kernels/gemm_cublaslt.h"
#include "runtime/config.h"
#include "runtime/device_arena.h"
#include "runtime/kernel_tag.h"

namespace deepsim::runtime {

struct LinearShape {
  int tokens = 0;  // rows of X and Y
  int in = 0;      // in features (K of the forward)
  int out = 0;     // out features
};

class GemmEngine {
 public:
  GemmEngine(Precision precision, DeviceArena& scratch);

  // y [T][out] = x [T][in] . w [out][in]^T. fp8_allowed = false keeps R17's BF16 layers (gate, head) in BF16.
  void forward(const __nv_bfloat16* x, const __nv_bfloat16* w, __nv_bfloat16* y, const LinearShape& s, bool fp8_allowed,
               cudaStream_t stream);
  // y FP32 (the router's logits).
  void forward_fp32(const __nv_bfloat16* x, const __nv_bfloat16* w, float* y, const LinearShape& s, cudaStream_t stream);
  // dx [T][in] = dy [T][out] . w [out][in]
  void backward_data(const __nv_bfloat16* dy, const __nv_bfloat16* w, __nv_bfloat16* dx, const LinearShape& s,
                     bool fp8_allowed, cudaStream_t stream);
  // dw [out][in] += dy^T x   (FP32)
  void backward_weight(const __nv_bfloat16* dy, const __nv_bfloat16* x, float* dw, const LinearShape& s, bool fp8_allowed,
                       cudaStream_t stream);

  [[nodiscard]] kernels::CublasLtGemm& cublaslt() { return lt_; }
  // The GEMM launch alone is tagged gemm_fp8 / gemm_bf16 with the caller's shape; the quantisers, transposes
  // and the accumulate around it get ops "<op>.fp8_quant" / ".transpose" / ".accumulate", memory_bound.
  void set_tagger(KernelTagger* tagger) { tagger_ = tagger; }
  [[nodiscard]] bool uses_fp8(const LinearShape& s, bool fp8_allowed) const;

 private:
  // The family tag of one cuBLASLt GEMM launch; a no-op without a tagger.
  struct LaunchTag {
    LaunchTag(KernelTagger* t, bool fp8) : tagger(t) {
      if (tagger != nullptr) tagger->push(with_family(tagger->current(), fp8));
    }
    LaunchTag(const LaunchTag&) = delete;
    LaunchTag& operator=(const LaunchTag&) = delete;
    ~LaunchTag() {
      if (tagger != nullptr) tagger->pop();
    }
    static KernelTag with_family(KernelTag t, bool fp8) {
      t.family = fp8 ? "gemm_fp8" : "gemm_bf16";
      return t;
    }
    KernelTagger* tagger;
  };
  void bf16_nt(const __nv_bfloat16* a, long lda, const __nv_bfloat16* b, long ldb, void* c, long ldc,
               kernels::GemmOutType out, int m, int n, int k, cudaStream_t stream);

  Precision precision_;
  DeviceArena& scratch_;
  kernels::CublasLtGemm lt_;
  KernelTagger* tagger_ = nullptr;
};

}  // namespace deepsim::runtime
