// MoE grouped GEMM over experts with different token counts, FP8 block-scaled inputs, BF16 output.
//
// Contiguous layout (as the permutation leaves it): A's rows are tokens sorted by expert; expert g owns rows
// offsets[g] .. offsets[g+1] (any count, 0 included) and computes
//   D[r][n] = sum_k A[r][k] B[g][n][k]       (A 1x128-scaled, B 128x128-scaled, FP32 accumulation, BF16 out)
// A's scales use the plain 1x128 layout of the whole [total_rows][K] tensor (one fp8_quant_1x128 launch over
// the permuted activations), so no per-expert padding of rows is needed.
//
// Two implementations:
//   fp8_grouped_gemm               our sm_90a kernel (sm90_fp8_grouped_gemm_mma.cu): mma.sync m16n8k32 E4M3
//                                  tensor cores, cp.async 3-stage pipeline, FP32 promotion per 128-K block (R17);
//                                  reads offsets on the device (no host sync).
//   fp8_grouped_gemm_cublaslt_loop the baseline: one cuBLASLt block-scaled GEMM per non-empty expert; needs the
//                                  offsets on the host and repacks each expert's A scales into a scratch buffer.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

#include "kernels/gemm_cublaslt.h"

namespace deepsim::kernels {

struct Fp8GroupedGemmParams {
  const std::uint8_t* a = nullptr;  // [total_rows][k] E4M3 codes, rows sorted by expert
  const float* a_scale = nullptr;   // [k/128][total_rows] 1x128 scales of A (fp8_quant.h layout)
  const std::uint8_t* b = nullptr;  // [groups][n][k] E4M3 codes of the expert weights
  const float* b_scale = nullptr;   // [groups][ceil(n/128)][scale_ld_128x128(k)] 128x128 scales per expert
  const int* offsets = nullptr;     // [groups + 1] device array: 0 = offsets[0] <= ... <= offsets[groups] = total_rows
  __nv_bfloat16* d = nullptr;       // [total_rows][n] BF16 output (rows of every expert written)
  int total_rows = 0;
  int groups = 0;
  int n = 0;                        // output features, multiple of 8
  int k = 0;                        // input features, multiple of 128
};

// Our tensor-core kernel. Requires k % 128 == 0 and n % 8 == 0.
void fp8_grouped_gemm(const Fp8GroupedGemmParams& p, cudaStream_t stream);

// Floats of scratch the baseline needs for the repacked per-expert A scales.
[[nodiscard]] long grouped_gemm_scale_scratch_floats(int total_rows, int groups, int k);

// Baseline: per-expert cuBLASLt loop. host_offsets must equal the device offsets; scratch holds at least
// grouped_gemm_scale_scratch_floats() floats. Additionally needs k % 16 == 0 and 16-byte aligned rows.
void fp8_grouped_gemm_cublaslt_loop(CublasLtGemm& gemm, const Fp8GroupedGemmParams& p,
                                    const std::vector<int>& host_offsets, float* scratch, cudaStream_t stream);

}  // namespace deepsim::kernels
