// RMSNorm backward, weight gradient (rmsnorm.h): dw_j = sum_rows dy_j * x_j * rstd, FP32. A CTA owns 32
// columns; its 8 row-groups stride over the rows (coalesced 64-byte reads per warp) and are summed in a
// fixed order through shared memory, so the result is deterministic.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "kernels/check.h"
#include "kernels/rmsnorm.h"
#include "rmsnorm_launch.h"

namespace deepsim::kernels::rmsnorm_detail {
namespace {

constexpr int kCols = 32;
constexpr int kRowGroups = 8;

__global__ void __launch_bounds__(kCols* kRowGroups) rmsnorm_bwd_dweight_kernel(const RmsNormBwdParams p) {
  __shared__ float partial[kRowGroups][kCols + 1];
  const int col = static_cast<int>(blockIdx.x) * kCols + static_cast<int>(threadIdx.x);
  float acc = 0.f;
  if (col < p.hidden) {
    for (long r = threadIdx.y; r < p.rows; r += kRowGroups)
      acc += __bfloat162float(p.dy[r * p.dy_stride + col]) * __bfloat162float(p.x[r * p.x_stride + col]) * p.rstd[r];
  }
  partial[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && col < p.hidden) {
    float total = 0.f;
    for (int g = 0; g < kRowGroups; ++g) total += partial[g][threadIdx.x];
    p.dweight[col] = total;
  }
}

}  // namespace

void launch_rmsnorm_bwd_dweight(const RmsNormBwdParams& p, cudaStream_t stream) {
  const dim3 block(kCols, kRowGroups);
  rmsnorm_bwd_dweight_kernel<<<(p.hidden + kCols - 1) / kCols, block, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels::rmsnorm_detail
