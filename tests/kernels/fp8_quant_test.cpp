// GPU tests of the FP8 quantisation kernels against the CPU references (cpu_ref_quant.h): codes and scales
// must match bit for bit (both sides divide in IEEE FP32 and round with RNE + SATFINITE), dequantisation
// exactly. Outputs are poisoned with 0xFF (E4M3 NaN codes, NaN scales) before each run. Skips without a GPU.
#include <cuda_bf16.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "kernel_test_util.h"
#include "kernels/cpu_ref_quant.h"
#include "kernels/device_buffer.h"
#include "kernels/fp8_quant.h"

namespace deepsim::kernels {
namespace {

struct Shape {
  int rows, cols;
};
// Ragged edges: 1 row, columns not a multiple of 128 (or of 4: unaligned tails), more than one block each way.
constexpr Shape kShapes[] = {{1, 128}, {63, 100}, {129, 300}, {256, 1024}, {200, 130}};

std::vector<float> input(const Shape& s, std::mt19937& rng) {
  return test::round_bf16(test::random_vector(static_cast<std::size_t>(s.rows) * s.cols, rng, -5.f, 5.f));
}

TEST(Fp8QuantGpu, OneByOneTwentyEightMatchesReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(31);
  for (const Shape s : kShapes) {
    for (const bool pow2 : {false, true}) {
      const auto x = input(s, rng);
      const auto ref = quantize_1x128_reference(x, s.rows, s.cols, pow2);
      DeviceBuffer<__nv_bfloat16> d_x(test::to_bf16(x));
      DeviceBuffer<std::uint8_t> q(x.size());
      DeviceBuffer<float> scale(ref.scale.size());
      q.fill_bytes(0xFF);
      scale.fill_bytes(0xFF);
      Fp8Quant1x128Params p;
      p.x = d_x.data();
      p.q = q.data();
      p.scale = scale.data();
      p.x_stride = s.cols;
      p.q_stride = s.cols;
      p.rows = s.rows;
      p.cols = s.cols;
      p.pow2_scale = pow2;
      fp8_quant_1x128(p, nullptr);
      DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
      EXPECT_EQ(q.download(), ref.q) << s.rows << "x" << s.cols << " pow2 " << pow2;
      EXPECT_EQ(scale.download(), ref.scale) << s.rows << "x" << s.cols << " pow2 " << pow2;

      DeviceBuffer<float> out(x.size());
      out.fill_bytes(0xFF);
      fp8_dequant(fp8_dequant_params_1x128(q.data(), scale.data(), out.data(), s.rows, s.cols), nullptr);
      DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
      EXPECT_EQ(out.download(), dequantize_1x128_reference(ref, s.rows, s.cols));
    }
  }
}

TEST(Fp8QuantGpu, TransposedMatchesReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(32);
  for (const Shape s : kShapes) {
    const auto x = input(s, rng);
    const auto ref = quantize_1x128_transposed_reference(x, s.rows, s.cols, false);
    DeviceBuffer<__nv_bfloat16> d_x(test::to_bf16(x));
    DeviceBuffer<std::uint8_t> q(x.size());
    DeviceBuffer<float> scale(ref.scale.size());
    q.fill_bytes(0xFF);
    scale.fill_bytes(0xFF);
    Fp8Quant1x128TransposedParams p;
    p.x = d_x.data();
    p.q = q.data();
    p.scale = scale.data();
    p.x_stride = s.cols;
    p.q_stride = s.rows;
    p.rows = s.rows;
    p.cols = s.cols;
    fp8_quant_1x128_transposed(p, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    EXPECT_EQ(q.download(), ref.q) << s.rows << "x" << s.cols;
    EXPECT_EQ(scale.download(), ref.scale) << s.rows << "x" << s.cols;
  }
}

TEST(Fp8QuantGpu, BlockQuantisationBothOrientationsMatchesReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(33);
  for (const Shape s : kShapes) {
    for (const bool transpose : {false, true}) {
      const auto x = input(s, rng);
      const auto ref = quantize_128x128_reference(x, s.rows, s.cols, false, transpose);
      DeviceBuffer<__nv_bfloat16> d_x(test::to_bf16(x));
      DeviceBuffer<std::uint8_t> q(x.size());
      DeviceBuffer<float> scale(ref.scale.size());
      q.fill_bytes(0xFF);
      scale.fill_bytes(0);  // the padding columns are not written: the reference has 0 there
      Fp8Quant128x128Params p;
      p.x = d_x.data();
      p.q = q.data();
      p.scale = scale.data();
      p.x_stride = s.cols;
      p.q_stride = transpose ? s.rows : s.cols;
      p.rows = s.rows;
      p.cols = s.cols;
      p.transpose_out = transpose;
      fp8_quant_128x128(p, nullptr);
      DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
      EXPECT_EQ(q.download(), ref.q) << s.rows << "x" << s.cols << " transpose " << transpose;
      EXPECT_EQ(scale.download(), ref.scale) << s.rows << "x" << s.cols << " transpose " << transpose;
      if (!transpose) {
        DeviceBuffer<float> out(x.size());
        out.fill_bytes(0xFF);
        fp8_dequant(fp8_dequant_params_128x128(q.data(), scale.data(), out.data(), s.rows, s.cols), nullptr);
        DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
        EXPECT_EQ(out.download(), dequantize_128x128_reference(ref, s.rows, s.cols));
      }
    }
  }
}

}  // namespace
}  // namespace deepsim::kernels
