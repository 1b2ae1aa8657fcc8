// Baseline MoE grouped GEMM (grouped_gemm_fp8.h): one cuBLASLt block-scaled FP8 GEMM per non-empty expert.
// cuBLASLt's 1x128 scale tensor has no leading dimension (it is [K/128][rows] with rows = the GEMM's M), so
// each expert's slice of A's scales, a strided [K/128][rows_g] window of [K/128][total_rows], is first packed
// into scratch with one cudaMemcpy2DAsync.
#include <cuda_runtime.h>

#include <stdexcept>
#include <vector>

#include "kernels/check.h"
#include "kernels/fp8_quant.h"
#include "kernels/grouped_gemm_fp8.h"

namespace deepsim::kernels {
namespace {

constexpr long kScratchAlignFloats = 4;  // each expert's packed scales start 16-byte aligned

}  // namespace

long grouped_gemm_scale_scratch_floats(int total_rows, int groups, int k) {
  return ceil_div(k, kFp8Block) * total_rows + kScratchAlignFloats * groups;
}

void fp8_grouped_gemm_cublaslt_loop(CublasLtGemm& gemm, const Fp8GroupedGemmParams& p,
                                    const std::vector<int>& host_offsets, float* scratch, cudaStream_t stream) {
  if (scratch == nullptr || p.a == nullptr || p.a_scale == nullptr || p.b == nullptr || p.b_scale == nullptr || p.d == nullptr)
    throw std::invalid_argument("fp8_grouped_gemm_cublaslt_loop: null pointer");
  if (static_cast<int>(host_offsets.size()) != p.groups + 1 || host_offsets.front() != 0 ||
      host_offsets.back() != p.total_rows)
    throw std::invalid_argument("fp8_grouped_gemm_cublaslt_loop: host_offsets must be [groups+1] from 0 to total_rows");
  const long kblocks = ceil_div(p.k, kFp8Block);
  const long b_scale_per_group = ceil_div(p.n, kFp8Block) * scale_ld_128x128(p.k);
  long scratch_at = 0;
  for (int g = 0; g < p.groups; ++g) {
    const long r0 = host_offsets[g];
    const long rows = host_offsets[g + 1] - r0;
    if (rows < 0) throw std::invalid_argument("fp8_grouped_gemm_cublaslt_loop: offsets must be non-decreasing");
    if (rows == 0) continue;
    float* packed = scratch + scratch_at;
    DEEPSIM_CUDA_CHECK(cudaMemcpy2DAsync(packed, rows * sizeof(float), p.a_scale + r0,
                                         static_cast<std::size_t>(p.total_rows) * sizeof(float), rows * sizeof(float),
                                         static_cast<std::size_t>(kblocks), cudaMemcpyDeviceToDevice, stream));
    scratch_at += ceil_div(kblocks * rows, kScratchAlignFloats) * kScratchAlignFloats;

    Fp8GemmParams gp;
    gp.a = Fp8GemmOperand{p.a + r0 * p.k, packed, p.k, Fp8ScaleMode::k1x128};
    gp.b = Fp8GemmOperand{p.b + static_cast<long>(g) * p.n * p.k, p.b_scale + g * b_scale_per_group, p.k,
                          Fp8ScaleMode::k128x128};
    gp.c = p.d + r0 * p.n;
    gp.ldc = p.n;
    gp.out_type = GemmOutType::kBf16;
    gp.m = static_cast<int>(rows);
    gp.n = p.n;
    gp.k = p.k;
    gemm.fp8(gp, stream);
  }
}

}  // namespace deepsim::kernels
