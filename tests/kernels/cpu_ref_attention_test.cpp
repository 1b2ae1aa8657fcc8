// CPU reference tests for causal attention (run everywhere, no GPU): the row-wise reference against an
// independently written full-matrix softmax(QK^T)V with a causal mask, and the flash-style backward against
// central finite differences of L = sum(dO * O).
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/cpu_ref_attention.h"

namespace deepsim::kernels {
namespace {

using test::random_vector;

// Naive: materialise S (seq x seq) per (batch, head), mask j > i with -inf, softmax, multiply by V.
AttentionRefForward naive_attention(const AttentionRefShape& s, const std::vector<float>& q,
                                    const std::vector<float>& k, const std::vector<float>& v) {
  AttentionRefForward out;
  out.o.assign(static_cast<std::size_t>(s.batch) * s.seq_len * s.heads * s.d_v, 0.f);
  out.lse.assign(static_cast<std::size_t>(s.batch) * s.heads * s.seq_len, 0.f);
  const auto at = [&](int b, int i, int h, int d, int width) {
    return ((static_cast<std::size_t>(b) * s.seq_len + i) * s.heads + h) * width + d;
  };
  const int n = s.seq_len;
  for (int b = 0; b < s.batch; ++b) {
    for (int h = 0; h < s.heads; ++h) {
      std::vector<double> S(static_cast<std::size_t>(n) * n);
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
          double dot = 0.0;
          for (int d = 0; d < s.d_qk; ++d) dot += static_cast<double>(q[at(b, i, h, d, s.d_qk)]) * k[at(b, j, h, d, s.d_qk)];
          S[static_cast<std::size_t>(i) * n + j] = j > i ? -std::numeric_limits<double>::infinity() : dot * s.softmax_scale;
        }
      }
      for (int i = 0; i < n; ++i) {
        double denom = 0.0;
        for (int j = 0; j < n; ++j) denom += std::exp(S[static_cast<std::size_t>(i) * n + j]);  // exp(-inf) = 0
        out.lse[(static_cast<std::size_t>(b) * s.heads + h) * n + i] = static_cast<float>(std::log(denom));
        for (int d = 0; d < s.d_v; ++d) {
          double acc = 0.0;
          for (int j = 0; j < n; ++j) acc += std::exp(S[static_cast<std::size_t>(i) * n + j]) / denom * v[at(b, j, h, d, s.d_v)];
          out.o[at(b, i, h, d, s.d_v)] = static_cast<float>(acc);
        }
      }
    }
  }
  return out;
}

TEST(CpuRefAttention, ForwardMatchesNaiveCausalSoftmax) {
  std::mt19937 rng(7);
  for (const int seq : {1, 2, 17, 40}) {
    AttentionRefShape s;
    s.batch = 2;
    s.seq_len = seq;
    s.heads = 3;
    s.softmax_scale = 1.f / std::sqrt(192.f);
    const auto q = random_vector(static_cast<std::size_t>(s.batch) * seq * s.heads * s.d_qk, rng, -2.f, 2.f);
    const auto k = random_vector(q.size(), rng, -2.f, 2.f);
    const auto v = random_vector(static_cast<std::size_t>(s.batch) * seq * s.heads * s.d_v, rng);
    const auto ref = attention_forward_reference(s, q, k, v);
    const auto naive = naive_attention(s, q, k, v);
    // Both are FP64 inside and round once to FP32: they agree to a few FP32 ulps.
    EXPECT_LT(test::max_abs_diff(ref.o, naive.o), 1e-5) << "seq " << seq;
    EXPECT_LT(test::max_abs_diff(ref.lse, naive.lse), 1e-5) << "seq " << seq;
  }
}

TEST(CpuRefAttention, FirstRowCopiesTheFirstValue) {
  // Query 0 sees only key 0, so o_0 = v_0 whatever q and k are: a hand-derived check of the causal mask.
  std::mt19937 rng(8);
  AttentionRefShape s;
  s.seq_len = 4;
  s.softmax_scale = 0.1f;
  const auto q = random_vector(static_cast<std::size_t>(s.seq_len) * s.d_qk, rng);
  const auto k = random_vector(q.size(), rng);
  const auto v = random_vector(static_cast<std::size_t>(s.seq_len) * s.d_v, rng);
  const auto ref = attention_forward_reference(s, q, k, v);
  for (int d = 0; d < s.d_v; ++d) EXPECT_FLOAT_EQ(ref.o[d], v[d]);
}

// L = sum(dout * o) with the reference forward, in FP64 from FP32 outputs.
double loss(const AttentionRefShape& s, const std::vector<float>& q, const std::vector<float>& k,
            const std::vector<float>& v, const std::vector<float>& dout) {
  const auto f = attention_forward_reference(s, q, k, v);
  double acc = 0.0;
  for (std::size_t i = 0; i < dout.size(); ++i) acc += static_cast<double>(dout[i]) * f.o[i];
  return acc;
}

TEST(CpuRefAttention, BackwardMatchesFiniteDifferences) {
  std::mt19937 rng(9);
  AttentionRefShape s;
  s.batch = 1;
  s.seq_len = 5;
  s.heads = 2;
  s.softmax_scale = 1.f / std::sqrt(192.f);
  auto q = random_vector(static_cast<std::size_t>(s.seq_len) * s.heads * s.d_qk, rng);
  auto k = random_vector(q.size(), rng);
  auto v = random_vector(static_cast<std::size_t>(s.seq_len) * s.heads * s.d_v, rng);
  const auto dout = random_vector(v.size(), rng);
  const auto grads = attention_backward_reference(s, q, k, v, attention_forward_reference(s, q, k, v), dout);

  // Central differences with step h: truncation error O(h^2) ~ 1e-6 and FP32 rounding of o about
  // 1e-7 * |L| / h ~ 1e-5 for |L| ~ 10, so 1e-3 absolute plus 1e-3 relative is a safe but sharp bound.
  constexpr float kStep = 1e-2f;
  const auto check = [&](std::vector<float>& x, const std::vector<float>& analytic, const char* name) {
    for (std::size_t i = 0; i < x.size(); i += 7) {  // every 7th element: all positions, heads, channels mixed
      const float saved = x[i];
      x[i] = saved + kStep;
      const double up = loss(s, q, k, v, dout);
      x[i] = saved - kStep;
      const double down = loss(s, q, k, v, dout);
      x[i] = saved;
      const double fd = (up - down) / (2.0 * kStep);
      EXPECT_NEAR(analytic[i], fd, 1e-3 + 1e-3 * std::fabs(fd)) << name << "[" << i << "]";
    }
  };
  check(q, grads.dq, "dq");
  check(k, grads.dk, "dk");
  check(v, grads.dv, "dv");
}

}  // namespace
}  // namespace deepsim::kernels
