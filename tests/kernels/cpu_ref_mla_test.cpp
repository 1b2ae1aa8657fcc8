// CPU reference tests for MLA's RoPE, K/V glue and projection path (run everywhere, no GPU).
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/cpu_ref_attention.h"
#include "kernels/cpu_ref_layer.h"
#include "kernels/rope.h"

namespace deepsim::kernels {
namespace {

using test::random_vector;

constexpr int kRopeDim = 64;
constexpr double kTheta = 10000.0;  // DeepSeek-V3 rope_theta

TEST(CpuRefRope, InterleavedPairsRotateLikeComplexMultiplication) {
  // DeepSeek's apply_rotary_emb: view adjacent pairs as complex numbers and multiply by exp(i pos freq_i),
  // freq_i = theta^(-2i/64). Computed here with std::complex, independently of the table.
  std::mt19937 rng(1);
  const int tokens = 3;
  const std::vector<int32_t> positions = {0, 5, 4095};
  const auto table = rope_cos_sin_table(4096, kRopeDim, kTheta);
  const auto x = random_vector(static_cast<std::size_t>(tokens) * kRopeDim, rng);
  auto y = x;
  rope_reference(y, tokens, 1, kRopeDim, 0, 0, kRopeDim, positions, table, false);
  for (int t = 0; t < tokens; ++t) {
    for (int i = 0; i < kRopeDim / 2; ++i) {
      const double freq = std::pow(kTheta, -2.0 * i / kRopeDim);
      const std::complex<double> in(x[t * kRopeDim + 2 * i], x[t * kRopeDim + 2 * i + 1]);
      const std::complex<double> out = in * std::polar(1.0, positions[t] * freq);
      EXPECT_NEAR(y[t * kRopeDim + 2 * i], out.real(), 1e-5);
      EXPECT_NEAR(y[t * kRopeDim + 2 * i + 1], out.imag(), 1e-5);
    }
  }
}

TEST(CpuRefRope, InverseUndoesForwardAndDotDependsOnRelativePosition) {
  std::mt19937 rng(2);
  const auto table = rope_cos_sin_table(64, kRopeDim, kTheta);
  const auto q = random_vector(kRopeDim, rng);
  const auto k = random_vector(kRopeDim, rng);
  // Round trip (the backward is the inverse rotation).
  auto x = q;
  rope_reference(x, 1, 1, kRopeDim, 0, 0, kRopeDim, {37}, table, false);
  rope_reference(x, 1, 1, kRopeDim, 0, 0, kRopeDim, {37}, table, true);
  for (int i = 0; i < kRopeDim; ++i) EXPECT_NEAR(x[i], q[i], 1e-5);
  // <R(m) q, R(n) k> depends only on m - n: positions (10, 3) and (20, 13) give the same score.
  const auto score = [&](int32_t m, int32_t n) {
    auto qm = q;
    auto kn = k;
    rope_reference(qm, 1, 1, kRopeDim, 0, 0, kRopeDim, {m}, table, false);
    rope_reference(kn, 1, 1, kRopeDim, 0, 0, kRopeDim, {n}, table, false);
    double dot = 0.0;
    for (int i = 0; i < kRopeDim; ++i) dot += static_cast<double>(qm[i]) * kn[i];
    return dot;
  };
  EXPECT_NEAR(score(10, 3), score(20, 13), 1e-4);
}

TEST(CpuRefMlaGlue, BackwardIsTheAdjointOfForward) {
  // <assemble(kv_b, k_rope), (dk, dv)> == <(kv_b, k_rope), assemble_backward(dk, dv)> for random tensors.
  std::mt19937 rng(3);
  const int tokens = 3;
  const int heads = 4;
  const auto kv_b = random_vector(static_cast<std::size_t>(tokens) * heads * 256, rng);
  const auto k_rope = random_vector(static_cast<std::size_t>(tokens) * 64, rng);
  const auto dk = random_vector(static_cast<std::size_t>(tokens) * heads * 192, rng);
  const auto dv = random_vector(static_cast<std::size_t>(tokens) * heads * 128, rng);
  std::vector<float> k, v, dkv_b, dk_rope;
  mla_kv_assemble_reference(kv_b, k_rope, tokens, heads, k, v);
  mla_kv_assemble_backward_reference(dk, dv, tokens, heads, dkv_b, dk_rope);
  double lhs = 0.0;
  double rhs = 0.0;
  for (std::size_t i = 0; i < k.size(); ++i) lhs += static_cast<double>(k[i]) * dk[i];
  for (std::size_t i = 0; i < v.size(); ++i) lhs += static_cast<double>(v[i]) * dv[i];
  for (std::size_t i = 0; i < kv_b.size(); ++i) rhs += static_cast<double>(kv_b[i]) * dkv_b[i];
  for (std::size_t i = 0; i < k_rope.size(); ++i) rhs += static_cast<double>(k_rope[i]) * dk_rope[i];
  EXPECT_NEAR(lhs, rhs, 1e-4 * std::fabs(lhs) + 1e-4);
}

// Small hidden/lora sizes, the real head dims (the glue is fixed to 128 | 64 | 128).
MlaProjectionDims small_dims() {
  MlaProjectionDims d;
  d.hidden = 32;
  d.q_lora_rank = 16;
  d.kv_lora_rank = 24;
  d.heads = 3;
  return d;
}

MlaProjectionWeights random_weights(const MlaProjectionDims& d, std::mt19937& rng) {
  const int qk_head = d.qk_nope + d.qk_rope;
  MlaProjectionWeights w;
  w.wq_a = random_vector(static_cast<std::size_t>(d.q_lora_rank) * d.hidden, rng);
  w.q_norm = random_vector(static_cast<std::size_t>(d.q_lora_rank), rng, 0.5f, 1.5f);
  w.wq_b = random_vector(static_cast<std::size_t>(d.heads) * qk_head * d.q_lora_rank, rng);
  w.wkv_a = random_vector(static_cast<std::size_t>(d.kv_lora_rank + d.qk_rope) * d.hidden, rng);
  w.kv_norm = random_vector(static_cast<std::size_t>(d.kv_lora_rank), rng, 0.5f, 1.5f);
  w.wkv_b = random_vector(static_cast<std::size_t>(d.heads) * (d.qk_nope + d.v_dim) * d.kv_lora_rank, rng);
  return w;
}

TEST(CpuRefMlaProjection, KeysShareTheRopePartAndMatchTheGlue) {
  std::mt19937 rng(4);
  const MlaProjectionDims d = small_dims();
  const auto w = random_weights(d, rng);
  const int tokens = 5;
  const std::vector<int32_t> positions = {0, 1, 2, 3, 4};
  const auto x = random_vector(static_cast<std::size_t>(tokens) * d.hidden, rng);
  const auto table = rope_cos_sin_table(8, d.qk_rope);
  const auto out = mla_projection_reference(d, w, x, positions, table);

  // The path's K and V equal the glue applied to kv_b = wkv_b * latent and the path's k_rope.
  std::vector<float> kv_b(static_cast<std::size_t>(tokens) * d.heads * (d.qk_nope + d.v_dim));
  for (int t = 0; t < tokens; ++t)
    for (std::size_t o = 0; o < kv_b.size() / tokens; ++o) {
      double acc = 0.0;
      for (int i = 0; i < d.kv_lora_rank; ++i)
        acc += static_cast<double>(w.wkv_b[o * d.kv_lora_rank + i]) * out.latent[static_cast<std::size_t>(t) * d.kv_lora_rank + i];
      kv_b[t * (kv_b.size() / tokens) + o] = static_cast<float>(acc);
    }
  std::vector<float> k, v;
  mla_kv_assemble_reference(kv_b, out.k_rope, tokens, d.heads, k, v);
  EXPECT_LT(test::max_abs_diff(out.k, k), 1e-5);
  EXPECT_LT(test::max_abs_diff(out.v, v), 1e-5);
  // Token 0 sits at position 0: RoPE is the identity there, so k_rope is the raw wkv_a output.
  for (int i = 0; i < d.qk_rope; ++i) {
    double raw = 0.0;
    for (int j = 0; j < d.hidden; ++j)
      raw += static_cast<double>(w.wkv_a[static_cast<std::size_t>(d.kv_lora_rank + i) * d.hidden + j]) * x[j];
    EXPECT_NEAR(out.k_rope[i], raw, 1e-4);
  }
}

TEST(CpuRefMlaProjection, NopeScoresEqualTheAbsorbedLatentForm) {
  // DeepSeek's absorb mode: q_nope . (W_uk c) == (W_uk^T q_nope) . c, with W_uk = the first qk_nope rows of
  // each head's block of wkv_b. Checks that the path splits wkv_b's output as (k_nope | v) per head.
  std::mt19937 rng(5);
  const MlaProjectionDims d = small_dims();
  const auto w = random_weights(d, rng);
  const std::vector<int32_t> positions = {3, 9};
  const auto x = random_vector(2 * static_cast<std::size_t>(d.hidden), rng);
  const auto out = mla_projection_reference(d, w, x, positions, rope_cos_sin_table(16, d.qk_rope));
  const int qk_head = d.qk_nope + d.qk_rope;
  const int kv_b_head = d.qk_nope + d.v_dim;
  for (int h = 0; h < d.heads; ++h) {
    const float* q_nope = &out.q[static_cast<std::size_t>(1 * d.heads + h) * qk_head];  // token 1
    const float* k_nope = &out.k[static_cast<std::size_t>(0 * d.heads + h) * qk_head];  // token 0
    double direct = 0.0;
    for (int i = 0; i < d.qk_nope; ++i) direct += static_cast<double>(q_nope[i]) * k_nope[i];
    double absorbed = 0.0;
    for (int c = 0; c < d.kv_lora_rank; ++c) {
      double q_lat = 0.0;  // (W_uk^T q_nope)_c
      for (int i = 0; i < d.qk_nope; ++i)
        q_lat += static_cast<double>(w.wkv_b[(static_cast<std::size_t>(h) * kv_b_head + i) * d.kv_lora_rank + c]) * q_nope[i];
      absorbed += q_lat * out.latent[c];  // token 0's latent
    }
    EXPECT_NEAR(direct, absorbed, 1e-3 * std::fabs(direct) + 1e-3) << "head " << h;
  }
}

}  // namespace
}  // namespace deepsim::kernels
