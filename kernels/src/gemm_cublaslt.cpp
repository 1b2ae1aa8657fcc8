// cuBLASLt GEMMs (gemm_cublaslt.h): handle, workspace, algorithm cache and the one TN matmul the FP8 and BF16
// entry points reduce to. Descriptors are RAII-owned per call (they are cheap host objects); the heuristic
// answer is cached per GemmAlgoKey.
#include "kernels/gemm_cublaslt.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "kernels/check.h"

namespace deepsim::kernels {
namespace {

struct DescDeleter {
  void operator()(cublasLtMatmulDesc_t d) const noexcept { cublasLtMatmulDescDestroy(d); }
};
struct LayoutDeleter {
  void operator()(cublasLtMatrixLayout_t l) const noexcept { cublasLtMatrixLayoutDestroy(l); }
};
struct PrefDeleter {
  void operator()(cublasLtMatmulPreference_t p) const noexcept { cublasLtMatmulPreferenceDestroy(p); }
};
using MatmulDesc = std::unique_ptr<std::remove_pointer_t<cublasLtMatmulDesc_t>, DescDeleter>;
using MatrixLayout = std::unique_ptr<std::remove_pointer_t<cublasLtMatrixLayout_t>, LayoutDeleter>;
using MatmulPref = std::unique_ptr<std::remove_pointer_t<cublasLtMatmulPreference_t>, PrefDeleter>;

MatrixLayout make_layout(cudaDataType_t type, long rows, long cols, long ld) {
  cublasLtMatrixLayout_t raw = nullptr;
  DEEPSIM_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&raw, type, static_cast<std::uint64_t>(rows),
                                                  static_cast<std::uint64_t>(cols), static_cast<std::int64_t>(ld)));
  return MatrixLayout(raw);
}

template <typename T>
void set_desc(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr, const T& value) {
  DEEPSIM_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc, attr, &value, sizeof(value)));
}

std::string describe(const CublasLtGemm::Call& c) {
  return "m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
         " lda=" + std::to_string(c.lda) + " ldb=" + std::to_string(c.ldb) + " ldc=" + std::to_string(c.ldc) +
         " input_type=" + std::to_string(static_cast<int>(c.input_type)) +
         " out_type=" + std::to_string(static_cast<int>(c.out_type)) + " a_mode=" + std::to_string(c.a_mode) +
         " b_mode=" + std::to_string(c.b_mode);
}

}  // namespace

const cublasLtMatmulAlgo_t* GemmAlgoCache::find(const GemmAlgoKey& key) const {
  const auto it = algos_.find(key);
  if (it == algos_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return &it->second;
}

CublasLtGemm::CublasLtGemm(std::size_t workspace_bytes) {
  cublasLtHandle_t raw = nullptr;
  DEEPSIM_CUBLAS_CHECK(cublasLtCreate(&raw));
  handle_.reset(raw);
  workspace_ = DeviceBuffer<std::uint8_t>(workspace_bytes);
}

void CublasLtGemm::run(const Call& c, cudaStream_t stream) {
  if (c.m == 0 || c.n == 0) return;
  // Row-major C[M][N] = A[M][K] B[N][K]^T is column-major C^T (N x M) = op(B) op(A) with op(B) = B^T:
  // cuBLAS's A is our B (stored K x N column-major, TRANSA = T) and cuBLAS's B is our A (K x M, TRANSB = N).
  MatmulDesc desc;
  {
    cublasLtMatmulDesc_t raw = nullptr;
    DEEPSIM_CUBLAS_CHECK(cublasLtMatmulDescCreate(&raw, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    desc.reset(raw);
  }
  set_desc(desc.get(), CUBLASLT_MATMUL_DESC_TRANSA, static_cast<std::int32_t>(CUBLAS_OP_T));
  set_desc(desc.get(), CUBLASLT_MATMUL_DESC_TRANSB, static_cast<std::int32_t>(CUBLAS_OP_N));
  const bool scaled = c.a_scale != nullptr || c.b_scale != nullptr;
  if (scaled) {
    set_desc(desc.get(), CUBLASLT_MATMUL_DESC_A_SCALE_MODE, c.b_mode);
    set_desc(desc.get(), CUBLASLT_MATMUL_DESC_B_SCALE_MODE, c.a_mode);
    set_desc(desc.get(), CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, static_cast<const void*>(c.b_scale));
    set_desc(desc.get(), CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, static_cast<const void*>(c.a_scale));
  }
  const MatrixLayout a_layout = make_layout(c.input_type, c.k, c.n, c.ldb);  // our B, K x N column-major
  const MatrixLayout b_layout = make_layout(c.input_type, c.k, c.m, c.lda);  // our A, K x M column-major
  const MatrixLayout d_layout = make_layout(c.out_type, c.n, c.m, c.ldc);    // our C, N x M column-major

  const GemmAlgoKey key{static_cast<int>(c.input_type), static_cast<int>(c.out_type), c.a_mode, c.b_mode,
                        c.m, c.n, c.k, c.lda, c.ldb, c.ldc};
  const cublasLtMatmulAlgo_t* algo = cache_.find(key);
  if (algo == nullptr) {
    MatmulPref pref;
    {
      cublasLtMatmulPreference_t raw = nullptr;
      DEEPSIM_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&raw));
      pref.reset(raw);
    }
    const std::size_t ws = workspace_.bytes();
    DEEPSIM_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref.get(), CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                              &ws, sizeof(ws)));
    cublasLtMatmulHeuristicResult_t result{};
    int returned = 0;
    DEEPSIM_CUBLAS_CHECK(cublasLtMatmulAlgoGetHeuristic(handle_.get(), desc.get(), a_layout.get(), b_layout.get(),
                                                        d_layout.get(), d_layout.get(), pref.get(), 1, &result,
                                                        &returned));
    if (returned == 0) throw CudaError("cuBLASLt has no algorithm for " + describe(c));
    cache_.insert(key, result.algo);
    algo = cache_.find(key);
  }
  const float alpha = 1.0f;
  const float beta = 0.0f;
  DEEPSIM_CUBLAS_CHECK(cublasLtMatmul(handle_.get(), desc.get(), &alpha, c.b, a_layout.get(), c.a, b_layout.get(),
                                      &beta, c.c, d_layout.get(), c.c, d_layout.get(), algo, workspace_.data(),
                                      workspace_.bytes(), stream));
}

}  // namespace deepsim::kernels
