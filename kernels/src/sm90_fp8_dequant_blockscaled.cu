// FP8 dequantisation for both block layouts (fp8_quant.h): out = decode(q) * scale[idx(r, c)], one thread per
// element in a grid-stride loop (a test and debugging tool; the GEMMs consume the codes and scales directly).
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "kernels/check.h"
#include "kernels/fp8_quant.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 256;
constexpr long kMaxBlocks = 65535;

__global__ void __launch_bounds__(kThreads) dequant_kernel(const Fp8DequantParams p) {
  const long total = static_cast<long>(p.rows) * p.cols;
  for (long e = static_cast<long>(blockIdx.x) * kThreads + threadIdx.x; e < total; e += static_cast<long>(gridDim.x) * kThreads) {
    const long r = e / p.cols, c = e % p.cols;
    const __half_raw h = __nv_cvt_fp8_to_halfraw(p.q[r * p.q_stride + c], __NV_E4M3);  // exact: E4M3 fits in FP16
    const float s = p.scale[(r / p.block_rows) * p.scale_row_stride + (c / kFp8Block) * p.scale_col_stride];
    p.out[r * p.out_stride + c] = __half2float(__half(h)) * s;
  }
}

}  // namespace

void fp8_dequant(const Fp8DequantParams& p, cudaStream_t stream) {
  if (p.q == nullptr || p.scale == nullptr || p.out == nullptr) throw std::invalid_argument("fp8_dequant: null pointer");
  if (p.rows < 0 || p.cols < 0 || p.q_stride < p.cols || p.out_stride < p.cols || p.block_rows <= 0)
    throw std::invalid_argument("fp8_dequant: bad shape (need strides >= cols, block_rows > 0)");
  const long total = static_cast<long>(p.rows) * p.cols;
  if (total == 0) return;
  const long blocks = std::min(ceil_div(total, kThreads), kMaxBlocks);
  dequant_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

Fp8DequantParams fp8_dequant_params_1x128(const std::uint8_t* q, const float* scale, float* out, int rows, int cols) {
  Fp8DequantParams p;
  p.q = q;
  p.scale = scale;
  p.out = out;
  p.q_stride = cols;
  p.out_stride = cols;
  p.scale_row_stride = 1;
  p.scale_col_stride = rows;
  p.rows = rows;
  p.cols = cols;
  p.block_rows = 1;
  return p;
}

Fp8DequantParams fp8_dequant_params_128x128(const std::uint8_t* q, const float* scale, float* out, int rows, int cols) {
  Fp8DequantParams p = fp8_dequant_params_1x128(q, scale, out, rows, cols);
  p.scale_row_stride = scale_ld_128x128(cols);
  p.scale_col_stride = 1;
  p.block_rows = kFp8Block;
  return p;
}

}  // namespace deepsim::kernels
