// CPU references for FP8 quantisation (fp8_quant.h): a bit-exact E4M3 encoder/decoder written from the format
// (1 sign, 4 exponent bits with bias 7, 3 mantissa bits; no infinities; S.1111.111 is NaN; largest finite 448)
// and the 1x128 / transposed 1x128 / 128x128 quantisers with the same layouts and the same scale function as
// the kernels, so GPU results are compared code for code.
#pragma once

#include <cstdint>
#include <vector>

namespace deepsim::kernels {

// Round to nearest, ties to even, saturating finite values to +-448 (CUDA's __NV_SATFINITE); NaN -> 0x7F.
[[nodiscard]] std::uint8_t e4m3_encode(float x);
// Exact value of an E4M3 code (NaN for 0x7F / 0xFF).
[[nodiscard]] float e4m3_decode(std::uint8_t code);

// Codes and scales of one quantised operand; layouts as in fp8_quant.h.
struct Fp8Quantized {
  std::vector<std::uint8_t> q;
  std::vector<float> scale;
};

// x: [rows][cols] row-major (values a BF16 tensor holds). q: [rows][cols]; scale: [ceil(cols/128)][rows].
[[nodiscard]] Fp8Quantized quantize_1x128_reference(const std::vector<float>& x, int rows, int cols, bool pow2);
// Quantises X^T: q [cols][rows]; scale [ceil(rows/128)][cols].
[[nodiscard]] Fp8Quantized quantize_1x128_transposed_reference(const std::vector<float>& x, int rows, int cols,
                                                               bool pow2);
// 128x128 blocks: q [rows][cols], scale [ceil(rows/128)][scale_ld_128x128(cols)] (padding 0); with
// transpose_out, q [cols][rows] and scale [ceil(cols/128)][scale_ld_128x128(rows)].
[[nodiscard]] Fp8Quantized quantize_128x128_reference(const std::vector<float>& x, int rows, int cols, bool pow2,
                                                      bool transpose_out);

// Dense FP32 dequantisation of a rows x cols operand in the 1x128 or 128x128 layout.
[[nodiscard]] std::vector<float> dequantize_1x128_reference(const Fp8Quantized& t, int rows, int cols);
[[nodiscard]] std::vector<float> dequantize_128x128_reference(const Fp8Quantized& t, int rows, int cols);

}  // namespace deepsim::kernels
