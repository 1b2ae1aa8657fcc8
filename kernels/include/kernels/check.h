// One check macro per API (STYLE.md rule 8): every CUDA runtime, cuBLASLt and kernel-launch call is
// checked and failures throw with file, line and the library's error text.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace deepsim::kernels {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void throw_cuda(const char* what, const char* err, const char* file, int line) {
  throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + what + " failed: " + err);
}

}  // namespace deepsim::kernels

#define DEEPSIM_CUDA_CHECK(call)                                                              \
  do {                                                                                        \
    const cudaError_t deepsim_err_ = (call);                                                  \
    if (deepsim_err_ != cudaSuccess)                                                          \
      ::deepsim::kernels::throw_cuda(#call, cudaGetErrorString(deepsim_err_), __FILE__, __LINE__); \
  } while (false)

#define DEEPSIM_CUBLAS_CHECK(call)                                                            \
  do {                                                                                        \
    const cublasStatus_t deepsim_st_ = (call);                                                \
    if (deepsim_st_ != CUBLAS_STATUS_SUCCESS)                                                 \
      ::deepsim::kernels::throw_cuda(#call, cublasLtGetStatusString(deepsim_st_), __FILE__, __LINE__); \
  } while (false)

// After a <<<...>>> launch: catches bad launch configurations immediately.
#define DEEPSIM_LAUNCH_CHECK() DEEPSIM_CUDA_CHECK(cudaGetLastError())
