// CPU reference tests for the router, MoE permutation, RMSNorm, SwiGLU, cross-entropy and AdamW (run
// everywhere, no GPU): invariants, finite differences, FP64 closed forms.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/cpu_ref_layer.h"

namespace deepsim::kernels {
namespace {

using test::random_vector;

TEST(CpuRefRouter, SelectsTopKDistinctExpertsInLimitedGroupsWithScaledGates) {
  std::mt19937 rng(11);
  const RouterConfig cfg;  // DeepSeek-V3: 256 experts, 8 groups, 4 kept, top-8, route_scale 2.5
  const int tokens = 200;
  const auto logits = random_vector(static_cast<std::size_t>(tokens) * cfg.num_experts, rng, -4.f, 4.f);
  const auto bias = random_vector(static_cast<std::size_t>(cfg.num_experts), rng, -0.1f, 0.1f);
  const auto r = router_reference(logits, bias, tokens, cfg);
  const int group_size = cfg.num_experts / cfg.num_groups;
  for (int t = 0; t < tokens; ++t) {
    std::set<int> experts;
    std::set<int> groups;
    double gate_sum = 0.0;
    for (int k = 0; k < cfg.top_k; ++k) {
      const int e = r.topk_idx[static_cast<std::size_t>(t) * cfg.top_k + k];
      ASSERT_GE(e, 0);
      ASSERT_LT(e, cfg.num_experts);
      experts.insert(e);
      groups.insert(e / group_size);
      gate_sum += r.topk_gate[static_cast<std::size_t>(t) * cfg.top_k + k];
    }
    EXPECT_EQ(experts.size(), static_cast<std::size_t>(cfg.top_k)) << "token " << t;
    EXPECT_LE(groups.size(), static_cast<std::size_t>(cfg.limited_groups)) << "token " << t;
    EXPECT_NEAR(gate_sum, cfg.route_scale, 1e-5) << "token " << t;
  }
}

TEST(CpuRefRouter, BiasChangesSelectionButNotGateValues) {
  std::mt19937 rng(12);
  const RouterConfig cfg;
  const int tokens = 64;
  const auto logits = random_vector(static_cast<std::size_t>(tokens) * cfg.num_experts, rng, -4.f, 4.f);
  const std::vector<float> no_bias(static_cast<std::size_t>(cfg.num_experts), 0.f);
  // A large bias on expert 255 forces it into every selection (its group's score and its own rank win).
  std::vector<float> bias = no_bias;
  bias[255] = 10.f;
  const auto plain = router_reference(logits, no_bias, tokens, cfg);
  const auto biased = router_reference(logits, bias, tokens, cfg);
  int changed = 0;
  for (int t = 0; t < tokens; ++t) {
    const std::size_t row = static_cast<std::size_t>(t) * cfg.top_k;
    EXPECT_EQ(biased.topk_idx[row], 255) << "token " << t;  // biased score ~10.5 ranks first
    changed += std::equal(plain.topk_idx.begin() + static_cast<long>(row),
                          plain.topk_idx.begin() + static_cast<long>(row + cfg.top_k),
                          biased.topk_idx.begin() + static_cast<long>(row))
                   ? 0
                   : 1;
    // Gates come from the unbiased sigmoid: recompute them from the selected experts' logits.
    double sum = 0.0;
    for (int k = 0; k < cfg.top_k; ++k)
      sum += 1.0 / (1.0 + std::exp(-logits[static_cast<std::size_t>(t) * cfg.num_experts + biased.topk_idx[row + k]]));
    for (int k = 0; k < cfg.top_k; ++k) {
      const double s = 1.0 / (1.0 + std::exp(-logits[static_cast<std::size_t>(t) * cfg.num_experts + biased.topk_idx[row + k]]));
      EXPECT_NEAR(biased.topk_gate[row + k], cfg.route_scale * s / sum, 1e-5);
    }
  }
  EXPECT_GT(changed, tokens / 2);
}

TEST(CpuRefMoePermute, PermuteThenUnpermuteWithUnitGatesGivesTopKTimesInput) {
  std::mt19937 rng(13);
  const int tokens = 50;
  const int top_k = 4;
  const int experts = 16;  // with 200 (token, slot) pairs some experts may get 0 rows: exercised below
  const int hidden = 24;
  std::vector<int32_t> topk(static_cast<std::size_t>(tokens) * top_k);
  for (int t = 0; t < tokens; ++t) {
    std::vector<int32_t> all(experts);
    for (int e = 0; e < experts; ++e) all[e] = e;
    std::shuffle(all.begin(), all.end(), rng);
    std::copy_n(all.begin(), top_k, topk.begin() + static_cast<long>(t) * top_k);
  }
  // Expert 3 never chosen: an empty range.
  for (auto& e : topk) e = e == 3 ? 2 + experts / 2 : e;
  for (int t = 0; t < tokens; ++t) {  // re-deduplicate rows the substitution may have broken
    std::set<int32_t> seen;
    for (int k = 0; k < top_k; ++k) {
      int32_t& e = topk[static_cast<std::size_t>(t) * top_k + k];
      while (seen.count(e) || e == 3) e = (e + 1) % experts;
      seen.insert(e);
    }
  }
  const auto x = random_vector(static_cast<std::size_t>(tokens) * hidden, rng);
  const auto p = moe_permute_reference(topk, x, tokens, top_k, experts, hidden);
  EXPECT_EQ(p.expert_counts[3], 0);
  EXPECT_EQ(p.expert_offsets[experts], tokens * top_k);
  // Stable expert-contiguous order: rows of one expert hold increasing tokens.
  for (int e = 0; e < experts; ++e)
    for (int r = p.expert_offsets[e] + 1; r < p.expert_offsets[e + 1]; ++r) EXPECT_LT(p.perm_token[r - 1], p.perm_token[r]);
  const std::vector<float> unit_gates(topk.size(), 1.f);
  const auto back = moe_unpermute_reference(p.x_perm, p.perm_row, unit_gates, tokens, top_k, hidden);  // identity experts
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(back[i], top_k * x[i]);
}

// Central finite difference of f at x[i].
double central_difference(std::vector<float>& x, std::size_t i, float step, const std::function<double()>& f) {
  const float saved = x[i];
  x[i] = saved + step;
  const double up = f();
  x[i] = saved - step;
  const double down = f();
  x[i] = saved;
  return (up - down) / (2.0 * step);
}

TEST(CpuRefRmsNorm, GradientsMatchFiniteDifferences) {
  std::mt19937 rng(14);
  const int rows = 3;
  const int hidden = 10;
  const float eps = 1e-6f;
  auto x = random_vector(static_cast<std::size_t>(rows) * hidden, rng);
  auto w = random_vector(static_cast<std::size_t>(hidden), rng, 0.5f, 1.5f);
  const auto dy = random_vector(x.size(), rng);
  std::vector<float> dx, dw;
  rmsnorm_backward_reference(x, w, dy, rows, hidden, eps, dx, dw);
  const auto L = [&] {
    const auto y = rmsnorm_forward_reference(x, w, rows, hidden, eps).y;
    double acc = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) acc += static_cast<double>(dy[i]) * y[i];
    return acc;
  };
  // Step 1e-2: O(h^2) truncation ~1e-5, FP32 rounding of y ~1e-6/h: 1e-3 bounds both.
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(dx[i], central_difference(x, i, 1e-2f, L), 1e-3) << "dx " << i;
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(dw[i], central_difference(w, i, 1e-2f, L), 1e-3) << "dw " << i;
}

TEST(CpuRefSwiGlu, GradientsMatchFiniteDifferences) {
  std::mt19937 rng(15);
  auto g = random_vector(40, rng, -4.f, 4.f);
  auto u = random_vector(40, rng, -2.f, 2.f);
  const auto dh = random_vector(40, rng);
  std::vector<float> dg, du;
  swiglu_backward_reference(g, u, dh, dg, du);
  const auto L = [&] {
    const auto h = swiglu_forward_reference(g, u);
    double acc = 0.0;
    for (std::size_t i = 0; i < h.size(); ++i) acc += static_cast<double>(dh[i]) * h[i];
    return acc;
  };
  for (std::size_t i = 0; i < g.size(); ++i) {
    EXPECT_NEAR(dg[i], central_difference(g, i, 1e-2f, L), 1e-3) << "dg " << i;
    EXPECT_NEAR(du[i], central_difference(u, i, 1e-2f, L), 1e-3) << "du " << i;
  }
}

TEST(CpuRefCrossEntropy, LossIsFp64LogSumExpAtFullVocabulary) {
  std::mt19937 rng(16);
  const int vocab = 129280;  // DeepSeek-V3
  const int rows = 2;
  // Logits up to +-30: exp overflows FP32 without the max shift, so this also checks the shift.
  auto logits = random_vector(static_cast<std::size_t>(rows) * vocab, rng, -30.f, 30.f);
  const std::vector<int32_t> targets = {17, vocab - 1};
  std::vector<float> loss, grad;
  cross_entropy_reference(logits, targets, rows, vocab, 0.5f, loss, grad);
  for (int t = 0; t < rows; ++t) {
    // Independent: long double sum of exp(z - z_target), loss = log of it.
    long double sum = 0.0L;
    for (int j = 0; j < vocab; ++j)
      sum += std::exp(static_cast<long double>(logits[static_cast<std::size_t>(t) * vocab + j]) -
                      logits[static_cast<std::size_t>(t) * vocab + targets[t]]);
    EXPECT_NEAR(loss[t], static_cast<double>(std::log(sum)), 1e-4 * std::fabs(static_cast<double>(std::log(sum))) + 1e-5);
    double grad_sum = 0.0;  // softmax sums to 1: the gradient row sums to 0
    for (int j = 0; j < vocab; ++j) grad_sum += grad[static_cast<std::size_t>(t) * vocab + j];
    EXPECT_NEAR(grad_sum, 0.0, 1e-5);
  }
}

TEST(CpuRefCrossEntropy, GradientMatchesFiniteDifferencesAndIgnoredRowsAreZero) {
  std::mt19937 rng(17);
  const int vocab = 9;
  const int rows = 2;
  auto logits = random_vector(static_cast<std::size_t>(rows) * vocab, rng, -3.f, 3.f);
  const std::vector<int32_t> targets = {4, -1};
  const float scale = 0.25f;
  std::vector<float> loss, grad;
  cross_entropy_reference(logits, targets, rows, vocab, scale, loss, grad);
  const auto L = [&] {
    std::vector<float> l, g;
    cross_entropy_reference(logits, targets, rows, vocab, scale, l, g);
    return scale * (static_cast<double>(l[0]) + l[1]);
  };
  for (int j = 0; j < vocab; ++j) EXPECT_NEAR(grad[j], central_difference(logits, j, 1e-2f, L), 1e-4);
  EXPECT_EQ(loss[1], 0.f);
  for (int j = 0; j < vocab; ++j) EXPECT_EQ(grad[vocab + j], 0.f);
}

TEST(CpuRefAdamW, FirstStepMatchesTheClosedForm) {
  // Step 1 from m = v = 0: m = (1-b1) g, v = (1-b2) g^2, so m/(1-b1) = g and sqrt(v/(1-b2)) = |g|:
  // w1 = w0 (1 - lr wd) - lr g / (|g| + eps).
  std::mt19937 rng(18);
  AdamWHyper h;
  h.lr = 2.2e-4f;  // DeepSeek-V3 peak learning rate (R13)
  h.step = 1;
  auto w = random_vector(100, rng);
  const auto w0 = w;
  const auto g = random_vector(100, rng, -1e-2f, 1e-2f);
  std::vector<float> m(100, 0.f), v(100, 0.f);
  adamw_reference(w, g, m, v, h);
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double gi = g[i];
    const double expect = w0[i] * (1.0 - static_cast<double>(h.lr) * h.weight_decay) - h.lr * gi / (std::fabs(gi) + h.eps);
    EXPECT_NEAR(w[i], expect, 1e-7) << i;
    EXPECT_NEAR(m[i], (1.0 - h.beta1) * gi, 1e-9);
    EXPECT_NEAR(v[i], (1.0 - h.beta2) * gi * gi, 1e-12);
  }
}

}  // namespace
}  // namespace deepsim::kernels
