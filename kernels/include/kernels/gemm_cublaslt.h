// Block-scaled FP8 GEMM and BF16 GEMM through cuBLASLt (CUDA 13, Hopper), with an algorithm cache.
//
// Every GEMM here is "NT" in row-major terms: C[M][N] = sum_k A[M][K] B[N][K], both operands contiguous along
// the contraction dimension K. That is the only layout cuBLASLt runs FP8 in on Hopper (cuBLAS "TN": the
// row-major C is cuBLAS's column-major C^T = B A^T with TRANSA = T on B and TRANSB = N on A). The three passes
// of a Linear Y = X W^T (X [T][in], W [out][in]) map onto it as
//   Fprop  Y [T][out]  = X [T][in]    . W   [out][in]^T   A: 1x128,  B: 128x128   (fp8_fprop_params)
//   Dgrad  dX [T][in]  = dY [T][out]  . W^T [in][out]^T   A: 1x128,  B: 128x128   (fp8_dgrad_params)
//   Wgrad  dW [out][in] = dY^T [out][T] . X^T [in][T]^T   A: 1x128,  B: 1x128     (fp8_wgrad_params)
// with the operands produced by fp8_quant.h (W^T by fp8_quant_128x128 with transpose_out; dY^T and X^T by
// fp8_quant_1x128_transposed). Scales: CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F for 1x128 and
// CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F for 128x128, layouts as in fp8_quant.h. cuBLASLt accumulates
// block-scaled FP8 in FP32 with the scales applied per 128-element K block (fast accumulation is not
// allowed with these modes), which is DeepSeek's promotion recipe (R17).
//
// Requirements checked by the wrappers: K % 128 == 0 (cuBLASLt documents its block-scaled modes for whole
// 128-element K blocks; plain FP8 needs only K % 16); operand leading dimensions multiples of 16 bytes; all
// pointers 16-byte aligned. Wgrad's K is the token count: pad it to fp8_wgrad_padded_tokens() (a multiple
// of 128) with zero codes. The padding stays inside the last 128-token block, so the scales the transposed
// quantiser wrote for that block still cover it and the zero codes add nothing.
#pragma once

#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <tuple>
#include <type_traits>

#include "kernels/device_buffer.h"

namespace deepsim::kernels {

enum class Fp8ScaleMode : std::int32_t {
  k1x128 = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F,       // one FP32 scale per row per 128 K-elements
  k128x128 = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F  // one FP32 scale per 128x128 block
};
enum class GemmOutType { kBf16, kFp32 };

// One FP8 operand of an NT GEMM: `rows` x K, K contiguous.
struct Fp8GemmOperand {
  const std::uint8_t* data = nullptr;  // [rows][ld] E4M3 codes
  const float* scale = nullptr;        // scales of the rows x K operand in `mode`'s layout (fp8_quant.h)
  long ld = 0;                         // bytes between rows (>= K, multiple of 16)
  Fp8ScaleMode mode = Fp8ScaleMode::k1x128;
};

struct Fp8GemmParams {
  Fp8GemmOperand a;               // [M][K]
  Fp8GemmOperand b;               // [N][K]
  void* c = nullptr;              // [M][ldc] output, __nv_bfloat16 or float per out_type (overwritten)
  long ldc = 0;                   // elements between rows of c (>= N, 16-byte multiple)
  GemmOutType out_type = GemmOutType::kBf16;
  int m = 0;
  int n = 0;
  int k = 0;
};

struct Bf16GemmParams {
  const __nv_bfloat16* a = nullptr;  // [M][lda]
  const __nv_bfloat16* b = nullptr;  // [N][ldb]
  void* c = nullptr;                 // [M][ldc] output, __nv_bfloat16 or float per out_type (overwritten)
  long lda = 0;                      // elements between rows of a (>= K)
  long ldb = 0;                      // elements between rows of b (>= K)
  long ldc = 0;                      // elements between rows of c (>= N)
  GemmOutType out_type = GemmOutType::kBf16;
  int m = 0;
  int n = 0;
  int k = 0;
};

// Everything cublasLtMatmulAlgoGetHeuristic's answer depends on for our calls.
struct GemmAlgoKey {
  int input_type = 0;  // cudaDataType_t of A and B
  int out_type = 0;    // cudaDataType_t of C and D
  int a_mode = 0;      // scale modes (0 for BF16)
  int b_mode = 0;
  int m = 0, n = 0, k = 0;
  long lda = 0, ldb = 0, ldc = 0;
  [[nodiscard]] auto tie() const { return std::tie(input_type, out_type, a_mode, b_mode, m, n, k, lda, ldb, ldc); }
  friend bool operator<(const GemmAlgoKey& x, const GemmAlgoKey& y) { return x.tie() < y.tie(); }
};

// Heuristic results per key, so a shape is looked up once per GEMM object (not a global: each owner has one).
class GemmAlgoCache {
 public:
  [[nodiscard]] const cublasLtMatmulAlgo_t* find(const GemmAlgoKey& key) const;
  void insert(const GemmAlgoKey& key, const cublasLtMatmulAlgo_t& algo) { algos_[key] = algo; }
  [[nodiscard]] std::size_t size() const { return algos_.size(); }
  [[nodiscard]] long hits() const { return hits_; }
  [[nodiscard]] long misses() const { return misses_; }

 private:
  std::map<GemmAlgoKey, cublasLtMatmulAlgo_t> algos_;
  mutable long hits_ = 0;
  mutable long misses_ = 0;
};

// Owns a cuBLASLt handle, a workspace and an algorithm cache. Not thread-safe; one per stream/worker.
// Construction needs a GPU (throws CudaError otherwise: cublasLtCreate returns NOT_INITIALIZED).
class CublasLtGemm {
 public:
  static constexpr std::size_t kDefaultWorkspaceBytes = std::size_t{32} << 20;  // cuBLAS's advice for Hopper

  explicit CublasLtGemm(std::size_t workspace_bytes = kDefaultWorkspaceBytes);

  void fp8(const Fp8GemmParams& p, cudaStream_t stream);
  void bf16(const Bf16GemmParams& p, cudaStream_t stream);
  [[nodiscard]] const GemmAlgoCache& cache() const { return cache_; }

  // The matmul both entry points reduce to (cuBLAS TN on the row-major NT problem); public for the grouped
  // baseline. Scale pointers/modes are ignored (null/0) for BF16.
  struct Call {
    cudaDataType_t input_type;
    cudaDataType_t out_type;
    const void* a;
    const void* b;
    void* c;
    const float* a_scale;
    const float* b_scale;
    std::int32_t a_mode;
    std::int32_t b_mode;
    long lda, ldb, ldc;  // elements
    int m, n, k;
  };
  void run(const Call& call, cudaStream_t stream);

 private:
  struct HandleDeleter {
    void operator()(cublasLtHandle_t h) const noexcept { cublasLtDestroy(h); }
  };
  std::unique_ptr<std::remove_pointer_t<cublasLtHandle_t>, HandleDeleter> handle_;
  DeviceBuffer<std::uint8_t> workspace_;
  GemmAlgoCache cache_;
};

// The Linear passes as NT GEMMs (see the table above). Token count T, in/out features; outputs row-major.
[[nodiscard]] Fp8GemmParams fp8_fprop_params(const std::uint8_t* x_q, const float* x_scale,  // X [T][in], 1x128
                                             const std::uint8_t* w_q, const float* w_scale,  // W [out][in], 128x128
                                             void* y, GemmOutType out_type, int tokens, int in, int out);
[[nodiscard]] Fp8GemmParams fp8_dgrad_params(const std::uint8_t* dy_q, const float* dy_scale,  // dY [T][out], 1x128
                                             const std::uint8_t* wt_q, const float* wt_scale,  // W^T [in][out], 128x128
                                             void* dx, GemmOutType out_type, int tokens, int in, int out);
// Wgrad's K: the token count rounded up to whole 128-token scale blocks (host-only arithmetic, tested on the
// CPU). ceil(padded / 128) == ceil(tokens / 128): the padding adds codes, never a scale block.
inline constexpr int kFp8WgradKAlign = 128;
[[nodiscard]] constexpr long fp8_wgrad_padded_tokens(long tokens) {
  return (tokens + kFp8WgradKAlign - 1) / kFp8WgradKAlign * kFp8WgradKAlign;
}
// tokens_padded: the K of this GEMM (fp8_wgrad_padded_tokens(tokens); throws std::invalid_argument when not a
// positive multiple of 128), the row stride of dY^T and X^T.
[[nodiscard]] Fp8GemmParams fp8_wgrad_params(const std::uint8_t* dyt_q, const float* dyt_scale,  // dY^T [out][Tp], 1x128
                                             const std::uint8_t* xt_q, const float* xt_scale,    // X^T [in][Tp], 1x128
                                             void* dw, GemmOutType out_type, int tokens_padded, int in, int out);

}  // namespace deepsim::kernels
