// GPU tests of the MLA glue (attention_mla_glue.h) and RoPE (rope.h) against the CPU references.
// Skip with the reason when no Hopper GPU is present; outputs NaN-poisoned before each run.
// Tolerances: the glue forward is a pure copy (exact); the rope-key head sum is FP32 then one bf16 rounding
// (<= 2^-8 relative + 1e-5); RoPE rotates bf16 values in FP32 and rounds once (<= 2^-8 relative to |x|max).
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "kernel_test_util.h"
#include "kernels/attention.h"
#include "kernels/attention_mla_glue.h"
#include "kernels/check.h"
#include "kernels/cpu_ref_attention.h"
#include "kernels/device_buffer.h"
#include "kernels/rope.h"

namespace deepsim::kernels {
namespace {

using test::random_vector;
using test::round_bf16;
using test::to_bf16;
using test::to_float;

constexpr int kKvAWidth = 576;  // kv_a output: latent 512 | k_rope 64
constexpr int kLatent = 512;

TEST(MlaGlueGpu, AssembleForwardAndBackwardMatchReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(21);
  for (const int tokens : {1, 63, 129}) {
    for (const int heads : {1, 128}) {
      const std::size_t th = static_cast<std::size_t>(tokens) * heads;
      const auto kv_b = round_bf16(random_vector(th * 256, rng));
      const auto kv_a = round_bf16(random_vector(static_cast<std::size_t>(tokens) * kKvAWidth, rng));
      std::vector<float> k_rope(static_cast<std::size_t>(tokens) * kMlaQkRopeDim);
      for (int t = 0; t < tokens; ++t)
        for (int d = 0; d < kMlaQkRopeDim; ++d) k_rope[t * kMlaQkRopeDim + d] = kv_a[t * kKvAWidth + kLatent + d];
      std::vector<float> k_ref, v_ref;
      mla_kv_assemble_reference(kv_b, k_rope, tokens, heads, k_ref, v_ref);

      DeviceBuffer<__nv_bfloat16> d_kv_b(to_bf16(kv_b)), d_kv_a(to_bf16(kv_a));
      DeviceBuffer<__nv_bfloat16> k(th * kMlaQkHeadDim), v(th * kMlaVHeadDim);
      k.fill_bytes(0xFF);
      v.fill_bytes(0xFF);
      MlaKvAssembleFwdParams fp;
      fp.kv_b = d_kv_b.data();
      fp.k_rope = d_kv_a.data() + kLatent;  // read in place from the kv_a output
      fp.k_rope_stride = kKvAWidth;
      fp.k = k.data();
      fp.v = v.data();
      fp.tokens = tokens;
      fp.heads = heads;
      mla_kv_assemble_forward(fp, nullptr);
      DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
      EXPECT_EQ(to_float(k.download()), k_ref) << tokens << "x" << heads;
      EXPECT_EQ(to_float(v.download()), v_ref) << tokens << "x" << heads;

      const auto dk = round_bf16(random_vector(th * kMlaQkHeadDim, rng));
      const auto dv = round_bf16(random_vector(th * kMlaVHeadDim, rng));
      std::vector<float> dkv_b_ref, dk_rope_ref;
      mla_kv_assemble_backward_reference(dk, dv, tokens, heads, dkv_b_ref, dk_rope_ref);
      DeviceBuffer<__nv_bfloat16> d_dk(to_bf16(dk)), d_dv(to_bf16(dv)), dkv_b(th * 256), dk_rope(dk_rope_ref.size());
      dkv_b.fill_bytes(0xFF);
      dk_rope.fill_bytes(0xFF);
      MlaKvAssembleBwdParams bp;
      bp.dk = d_dk.data();
      bp.dv = d_dv.data();
      bp.dkv_b = dkv_b.data();
      bp.dk_rope = dk_rope.data();
      bp.dk_rope_stride = kMlaQkRopeDim;
      bp.tokens = tokens;
      bp.heads = heads;
      mla_kv_assemble_backward(bp, nullptr);
      DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
      EXPECT_EQ(to_float(dkv_b.download()), dkv_b_ref);
      const auto got = to_float(dk_rope.download());
      for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_NEAR(got[i], dk_rope_ref[i], std::ldexp(std::fabs(dk_rope_ref[i]), -8) + 1e-5) << i;
    }
  }
}

TEST(RopeGpu, QueryRopePartMatchesReferenceForwardAndInverse) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(22);
  const int max_position = 4096;
  const auto table = rope_cos_sin_table(max_position, kMlaQkRopeDim);
  for (const int tokens : {1, 63, 1000}) {
    const int heads = 3;
    std::vector<int32_t> positions(static_cast<std::size_t>(tokens));
    std::uniform_int_distribution<int32_t> pos(0, max_position - 1);
    for (auto& p : positions) p = pos(rng);
    const auto q = round_bf16(random_vector(static_cast<std::size_t>(tokens) * heads * kMlaQkHeadDim, rng));
    DeviceBuffer<__nv_bfloat16> x(to_bf16(q));
    DeviceBuffer<int32_t> d_pos(positions);
    DeviceBuffer<float> d_table(table);
    RopeParams p;
    p.x = x.data();
    p.token_stride = static_cast<long>(heads) * kMlaQkHeadDim;
    p.head_stride = kMlaQkHeadDim;
    p.rope_offset = kMlaQkNopeDim;
    p.positions = d_pos.data();
    p.cos_sin = d_table.data();
    p.num_tokens = tokens;
    p.num_heads = heads;
    p.rope_dim = kMlaQkRopeDim;
    p.max_position = max_position;
    for (const bool inverse : {false, true}) {
      p.inverse = inverse;
      auto ref = to_float(x.download());  // the kernel's input of this round, as bf16 values
      rope_reference(ref, tokens, heads, p.token_stride, p.head_stride, p.rope_offset, p.rope_dim, positions, table,
                     inverse);
      rope_apply(p, nullptr);
      DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
      // |x| <= 1, rotation keeps |pair| <= sqrt(2): one bf16 rounding is <= 2^-8 * sqrt(2) absolute.
      EXPECT_LE(test::max_abs_diff(to_float(x.download()), ref), 6e-3) << "tokens " << tokens << " inverse " << inverse;
    }
  }
}

}  // namespace
}  // namespace deepsim::kernels
