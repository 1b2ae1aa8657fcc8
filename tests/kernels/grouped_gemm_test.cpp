// GPU tests of the MoE grouped FP8 GEMM (our mma.sync kernel and the per-expert cuBLASLt baseline) against the
// FP64 grouped reference on the dequantised operands (relative Frobenius <= 4e-3, BF16 output; see
// fp8_test_util.h) and on the unquantised ones (<= 2^-4). Ragged experts: 0 tokens (first, middle, last),
// 1 token, counts below, at and above the 64-row tile and the 128 block. Output NaN-poisoned first.
#include <cuda_bf16.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fp8_test_util.h"
#include "gpu_test_support.h"
#include "kernel_test_util.h"
#include "kernels/cpu_ref_gemm.h"
#include "kernels/cpu_ref_quant.h"
#include "kernels/device_buffer.h"
#include "kernels/fp8_quant.h"
#include "kernels/grouped_gemm_fp8.h"

namespace deepsim::kernels {
namespace {

struct Case {
  std::vector<int> counts;  // tokens per expert
  int n, k;
};

std::vector<int> offsets_of(const std::vector<int>& counts) {
  std::vector<int> off{0};
  for (const int c : counts) off.push_back(off.back() + c);
  return off;
}

class GroupedGemmGpu : public ::testing::TestWithParam<bool> {};  // param: use the cuBLASLt baseline

TEST_P(GroupedGemmGpu, MatchesReferenceOnRaggedExperts) {
  DEEPSIM_REQUIRE_GPU();
  const bool baseline = GetParam();
  std::mt19937 rng(61);
  const Case cases[] = {
      {{0, 1, 63, 64, 65, 0, 128, 300, 0}, 384, 256},
      {{5, 0, 130}, 128, 128},       // K = 128: a single scale block
      {{200, 17, 1, 96}, 640, 512},  // N = 5 x 128
  };
  CublasLtGemm gemm;
  for (const Case& c : cases) {
    const auto offsets = offsets_of(c.counts);
    const int groups = static_cast<int>(c.counts.size());
    const int total = offsets.back();
    const auto a = test::round_bf16(test::random_vector(static_cast<std::size_t>(total) * c.k, rng));
    const auto b = test::round_bf16(test::random_vector(static_cast<std::size_t>(groups) * c.n * c.k, rng));
    const auto aq = quantize_1x128_reference(a, total, c.k, false);
    // Experts' weights quantised one by one; their scale tensors concatenated ([G][ceil(n/128)][ld]).
    Fp8Quantized bq;
    std::vector<float> b_deq;
    for (int g = 0; g < groups; ++g) {
      const std::vector<float> bg(b.begin() + static_cast<long>(g) * c.n * c.k, b.begin() + static_cast<long>(g + 1) * c.n * c.k);
      const auto t = quantize_128x128_reference(bg, c.n, c.k, false, false);
      bq.q.insert(bq.q.end(), t.q.begin(), t.q.end());
      bq.scale.insert(bq.scale.end(), t.scale.begin(), t.scale.end());
      const auto d = dequantize_128x128_reference(t, c.n, c.k);
      b_deq.insert(b_deq.end(), d.begin(), d.end());
    }
    const auto ref_deq = grouped_gemm_nt_reference(dequantize_1x128_reference(aq, total, c.k), b_deq, offsets, c.n, c.k);
    const auto ref_exact = grouped_gemm_nt_reference(a, b, offsets, c.n, c.k);

    DeviceBuffer<std::uint8_t> d_a(aq.q), d_b(bq.q);
    DeviceBuffer<float> d_as(aq.scale), d_bs(bq.scale);
    DeviceBuffer<int> d_off(offsets);
    DeviceBuffer<__nv_bfloat16> d(static_cast<std::size_t>(total) * c.n);
    d.fill_bytes(0xFF);
    Fp8GroupedGemmParams p;
    p.a = d_a.data();
    p.a_scale = d_as.data();
    p.b = d_b.data();
    p.b_scale = d_bs.data();
    p.offsets = d_off.data();
    p.d = d.data();
    p.total_rows = total;
    p.groups = groups;
    p.n = c.n;
    p.k = c.k;
    if (baseline) {
      DeviceBuffer<float> scratch(static_cast<std::size_t>(grouped_gemm_scale_scratch_floats(total, groups, c.k)));
      fp8_grouped_gemm_cublaslt_loop(gemm, p, offsets, scratch.data(), nullptr);
      DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    } else {
      fp8_grouped_gemm(p, nullptr);
      DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    }
    const auto got = test::bf16_bits_to_float(d.download());
    const std::string tag = "n " + std::to_string(c.n) + " k " + std::to_string(c.k) + " groups " + std::to_string(groups);
    EXPECT_LE(test::rel_frobenius(got, ref_deq), test::kFp8GemmBf16OutTol) << tag;
    EXPECT_LE(test::rel_frobenius(got, ref_exact), test::kE4m3UnitRoundoff) << tag;
  }
}

INSTANTIATE_TEST_SUITE_P(Implementations, GroupedGemmGpu, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param_info) { return param_info.param ? "CublasLtLoop" : "Sm90Mma"; });

}  // namespace
}  // namespace deepsim::kernels
