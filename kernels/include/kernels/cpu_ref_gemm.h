// CPU reference GEMMs in FP64 for the FP8/BF16 GEMMs (gemm_cublaslt.h) and the MoE grouped GEMM
// (grouped_gemm_fp8.h). Every GEMM in this library is "NT": C[M][N] = sum_k A[M][K] B[N][K], both operands
// contraction-contiguous (Fprop: A = X, B = W; Dgrad: A = dY, B = W^T; Wgrad: A = dY^T, B = X^T).
#pragma once

#include <cstdint>
#include <vector>

namespace deepsim::kernels {

// C[M][N] = A[M][K] B[N][K]^T with FP64 products and sums; blocked over k for cache reuse.
[[nodiscard]] std::vector<double> gemm_nt_reference(const std::vector<float>& a, const std::vector<float>& b, int m,
                                                    int n, int k);

// Contiguous grouped GEMM: rows offsets[g] .. offsets[g+1] of A use expert g's B:
// C[r][n] = sum_k A[r][k] B[g][n][k]. a [offsets.back()][K], b [G][N][K], offsets [G+1] non-decreasing from 0.
[[nodiscard]] std::vector<double> grouped_gemm_nt_reference(const std::vector<float>& a, const std::vector<float>& b,
                                                            const std::vector<int>& offsets, int n, int k);

// Transpose of a rows x cols row-major matrix (helper for building Dgrad/Wgrad operands).
[[nodiscard]] std::vector<float> transpose_reference(const std::vector<float>& x, int rows, int cols);

}  // namespace deepsim::kernels
