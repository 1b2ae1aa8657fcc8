// BF16 GEMM through cuBLASLt (gemm_cublaslt.h), the comparison point for the FP8 GEMM: same NT layout, FP32
// accumulation, BF16 or FP32 output.
#include <stdexcept>

#include "kernels/gemm_cublaslt.h"

namespace deepsim::kernels {

void CublasLtGemm::bf16(const Bf16GemmParams& p, cudaStream_t stream) {
  if (p.a == nullptr || p.b == nullptr || p.c == nullptr) throw std::invalid_argument("CublasLtGemm::bf16: null pointer");
  if (p.m < 0 || p.n < 0 || p.k <= 0 || p.lda < p.k || p.ldb < p.k || p.ldc < p.n)
    throw std::invalid_argument("CublasLtGemm::bf16: bad shape (need k > 0, lda, ldb >= k, ldc >= n)");
  Call c{};
  c.input_type = CUDA_R_16BF;
  c.out_type = p.out_type == GemmOutType::kBf16 ? CUDA_R_16BF : CUDA_R_32F;
  c.a = p.a;
  c.b = p.b;
  c.c = p.c;
  c.a_scale = nullptr;
  c.b_scale = nullptr;
  c.a_mode = 0;
  c.b_mode = 0;
  c.lda = p.lda;
  c.ldb = p.ldb;
  c.ldc = p.ldc;
  c.m = p.m;
  c.n = p.n;
  c.k = p.k;
  run(c, stream);
}

}  // namespace deepsim::kernels
