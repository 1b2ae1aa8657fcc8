// FP8 (E4M3) quantisation with DeepSeek-V3's fine-grained scaling (reference R17): activations in 1x128
// tiles (per row per 128 columns), weights in 128x128 blocks, scales computed online from the tile's amax.
//
//   scale = amax / 448            (448 = largest finite E4M3)          q = e4m3_rne_satfinite(x / scale)
//   scale = 2^ceil(log2(amax/448)) with pow2_scale (FP8 dispatch, R17) x = q * scale        (dequantisation)
//
// FP8 values are stored as raw E4M3 codes (std::uint8_t, the bit pattern of cuda_fp8.h's __nv_fp8_e4m3).
// Scale layouts are the ones cuBLASLt's CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F / BLK128x128_32F read
// (cuBLAS docs "scaling factors layouts"; pytorch/pytorch#166752), for an operand of `rows` x `cols` with the
// 128-blocks along `cols` (the contraction dimension of the GEMM that consumes it):
//   1x128    : scale[(c / 128) * rows + r]                           ("column-major", rows contiguous)
//   128x128  : scale[(r / 128) * ld + c / 128], ld = round_up(ceil(cols / 128), 4)  (blocks along cols contiguous)
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define DEEPSIM_FP8_HD __host__ __device__
#else
#define DEEPSIM_FP8_HD
#endif

namespace deepsim::kernels {

inline constexpr int kFp8Block = 128;          // quantisation group length (R17), elements
inline constexpr float kE4m3Max = 448.0f;      // largest finite E4M3 value: 1.75 * 2^8
inline constexpr int kScaleLdAlign = 4;        // 128x128 scale rows are padded to 4 floats (16 bytes) for cuBLASLt

[[nodiscard]] constexpr long ceil_div(long a, long b) { return (a + b - 1) / b; }
// Leading dimension (floats) of a 128x128 scale tensor for an operand with `cols` columns.
[[nodiscard]] constexpr long scale_ld_128x128(long cols) {
  return ceil_div(ceil_div(cols, kFp8Block), kScaleLdAlign) * kScaleLdAlign;
}
// Number of floats in a 1x128 scale tensor for a rows x cols operand.
[[nodiscard]] constexpr long scale_count_1x128(long rows, long cols) { return ceil_div(cols, kFp8Block) * rows; }
// Number of floats in a 128x128 scale tensor for a rows x cols operand (padding included).
[[nodiscard]] constexpr long scale_count_128x128(long rows, long cols) {
  return ceil_div(rows, kFp8Block) * scale_ld_128x128(cols);
}

// The block scale from the block's amax; shared by the kernels and the CPU reference so both agree bit for
// bit. An all-zero block gets scale 1 (its codes are all zero either way). In pow2 mode the scale is the
// smallest power of two >= amax / 448, so x / scale is exact in the exponent and |x / scale| <= 448.
DEEPSIM_FP8_HD inline float fp8_block_scale(float amax, bool pow2) {
  if (!(amax > 0.0f)) return 1.0f;
  float s = amax / kE4m3Max;
  if (!(s > 0.0f)) return 1.0f;  // amax so small that amax/448 underflows: keep codes finite
  if (pow2) {
    // Round s up to a power of two by its bits: clear the mantissa and bump the exponent if it was not 0.
    static_assert(sizeof(std::uint32_t) == sizeof(float), "float is 32-bit");
#if defined(__CUDA_ARCH__)
    std::uint32_t bits = __float_as_uint(s);
#else
    std::uint32_t bits = 0;
    std::memcpy(&bits, &s, sizeof(bits));
#endif
    const std::uint32_t mantissa = bits & 0x007FFFFFu;
    const std::uint32_t exponent = bits & 0x7F800000u;
    if (exponent == 0) return 1.1754943508222875e-38f;  // subnormal s: smallest normal power of two
    bits = exponent + (mantissa != 0 ? 0x00800000u : 0u);
#if defined(__CUDA_ARCH__)
    s = __uint_as_float(bits);
#else
    std::memcpy(&s, &bits, sizeof(bits));
#endif
  }
  return s;
}

// ---- 1x128 quantisation of a row-major BF16 matrix (activations: rows = tokens, cols = channels) ----------
struct Fp8Quant1x128Params {
  const __nv_bfloat16* x = nullptr;  // [rows][x_stride] BF16 input, first `cols` values of each row used
  std::uint8_t* q = nullptr;         // [rows][q_stride] E4M3 codes output
  float* scale = nullptr;            // [ceil(cols/128)][rows] FP32 scales output (1x128 layout above)
  long x_stride = 0;                 // elements between rows of x (>= cols)
  long q_stride = 0;                 // elements (bytes) between rows of q (>= cols)
  int rows = 0;
  int cols = 0;
  bool pow2_scale = false;           // power-of-two scales (FP8 dispatch); else amax / 448
};
void fp8_quant_1x128(const Fp8Quant1x128Params& p, cudaStream_t stream);

// ---- Transposed 1x128 quantisation: quantises X^T (cols x rows) in 1x128 tiles running along X's rows ------
// For Wgrad (dW = dY^T X) both operands are needed token-contiguous: X [tokens][ch] -> X^T [ch][tokens] with
// one scale per (channel, 128 tokens). Output: q [cols][q_stride] holds X^T; scale [ceil(rows/128)][cols].
struct Fp8Quant1x128TransposedParams {
  const __nv_bfloat16* x = nullptr;  // [rows][x_stride] BF16 input (not transposed)
  std::uint8_t* q = nullptr;         // [cols][q_stride] E4M3 codes of X^T
  float* scale = nullptr;            // [ceil(rows/128)][cols] FP32 scales (1x128 layout of the cols x rows X^T)
  long x_stride = 0;                 // elements between rows of x (>= cols)
  long q_stride = 0;                 // bytes between rows of q (>= rows)
  int rows = 0;                      // rows of X (tokens): the quantisation (and GEMM contraction) dimension
  int cols = 0;                      // cols of X (channels)
  bool pow2_scale = false;
};
void fp8_quant_1x128_transposed(const Fp8Quant1x128TransposedParams& p, cudaStream_t stream);

// ---- 128x128 block quantisation of a row-major BF16 matrix (weights W [out][in]) ---------------------------
// With transpose_out the codes of W^T are written ([cols][q_stride]) with W^T's scale layout
// ([ceil(cols/128)][scale_ld_128x128(rows)]): the Dgrad GEMM (dX = dY W) needs W^T contraction-contiguous.
// The blocks are square, so W^T's blocks are W's blocks transposed and the codes are identical.
struct Fp8Quant128x128Params {
  const __nv_bfloat16* x = nullptr;  // [rows][x_stride] BF16 input
  std::uint8_t* q = nullptr;         // [rows][q_stride] codes, or [cols][q_stride] with transpose_out
  float* scale = nullptr;            // 128x128 layout of the output operand (W or W^T), padding untouched
  long x_stride = 0;                 // elements between rows of x (>= cols)
  long q_stride = 0;                 // bytes between rows of q (>= cols, or >= rows with transpose_out)
  int rows = 0;
  int cols = 0;
  bool transpose_out = false;
  bool pow2_scale = false;
};
void fp8_quant_128x128(const Fp8Quant128x128Params& p, cudaStream_t stream);

// ---- Dequantisation of either layout to FP32: out[r][c] = decode(q[r][c]) * scale[idx(r, c)] ---------------
// idx(r, c) = (r / block_rows) * scale_row_stride + (c / 128) * scale_col_stride. 1x128: block_rows 1,
// scale_row_stride 1, scale_col_stride rows. 128x128: block_rows 128, scale_row_stride ld, scale_col_stride 1.
struct Fp8DequantParams {
  const std::uint8_t* q = nullptr;  // [rows][q_stride] E4M3 codes
  const float* scale = nullptr;     // block scales, indexed as above
  float* out = nullptr;             // [rows][out_stride] FP32 output
  long q_stride = 0;                // bytes between rows of q (>= cols)
  long out_stride = 0;              // elements between rows of out (>= cols)
  long scale_row_stride = 0;        // floats between consecutive row blocks of scales
  long scale_col_stride = 0;        // floats between consecutive 128-column blocks of scales
  int rows = 0;
  int cols = 0;
  int block_rows = 1;               // 1 (1x128 tiles) or 128 (128x128 blocks)
};
void fp8_dequant(const Fp8DequantParams& p, cudaStream_t stream);

// Dequant parameters for the two standard layouts of a rows x cols operand (q dense, out dense).
[[nodiscard]] Fp8DequantParams fp8_dequant_params_1x128(const std::uint8_t* q, const float* scale, float* out,
                                                        int rows, int cols);
[[nodiscard]] Fp8DequantParams fp8_dequant_params_128x128(const std::uint8_t* q, const float* scale, float* out,
                                                          int rows, int cols);

}  // namespace deepsim::kernels
