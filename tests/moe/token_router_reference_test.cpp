// The optimised TokenRouter (insertion top-k, list merges, exact tail shortcuts) against a plain
// transcription of the original algorithm (partial_sort and stable_sort over index pools, issue 17):
// every chosen expert and every bit of the inclusion probabilities must match, for the V3 shape, a
// shape whose groups are smaller than top_k + 1, every group rule and both noise models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numbers>
#include <numeric>
#include <vector>

#include "sim/moe/token_router.h"

namespace deepsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The original implementation, kept as the specification of what the router computes.
class ReferenceRouter {
 public:
  ReferenceRouter(RouterShape shape, RouterNoise noise, GroupScoreRule rule, double scale)
      : shape_(shape), noise_(noise), rule_(rule), scale_(scale) {
    keep_ = std::min(shape_.group_size(), std::max(shape_.top_k + 1, 3));
    scores_.resize(static_cast<std::size_t>(shape_.experts));
    group_top_.resize(static_cast<std::size_t>(shape_.groups * keep_));
    group_score_.resize(static_cast<std::size_t>(shape_.groups));
    group_order_.resize(static_cast<std::size_t>(shape_.groups));
  }

  void route(const std::vector<double>& base, Rng& rng, std::vector<int>& out) {
    draw(base, rng);
    rank(rng);
    last_choice(out);
  }

  void select(const std::vector<double>& s, Rng& rng, std::vector<int>& out) {
    scores_ = s;
    rank(rng);
    last_choice(out);
  }

  void add_inclusion(const std::vector<double>& base, Rng& rng, std::vector<double>& acc) {
    draw(base, rng);
    rank(rng);
    const int k = shape_.top_k, m = shape_.limited_groups, gs = shape_.group_size();
    for (int g = 0; g < shape_.groups; ++g) {
      double others_best = -kInf;
      bool chosen = rule_ != GroupScoreRule::kRandom;
      std::vector<double> merged;
      int taken = 0;
      for (int og : group_order_) {
        if (og == g) {
          if (taken < m) chosen = true;
          continue;
        }
        if (taken == m - 1) {
          if (rule_ != GroupScoreRule::kRandom) others_best = group_score_[static_cast<std::size_t>(og)];
          break;
        }
        ++taken;
        for (int i = 0; i < keep_; ++i) merged.push_back(scores_[static_cast<std::size_t>(group_top_[static_cast<std::size_t>(og * keep_ + i)])]);
      }
      if (!chosen) continue;
      for (int i = 0; i < keep_; ++i) merged.push_back(scores_[static_cast<std::size_t>(group_top_[static_cast<std::size_t>(g * keep_ + i)])]);
      const auto top = std::min<std::size_t>(merged.size(), static_cast<std::size_t>(k + 1));
      std::partial_sort(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(top), merged.end(), std::greater<>());
      for (int e = g * gs; e < (g + 1) * gs; ++e) {
        const double s = scores_[static_cast<std::size_t>(e)];
        const bool in_top = top >= static_cast<std::size_t>(k) && s >= merged[static_cast<std::size_t>(k - 1)];
        const std::size_t idx = static_cast<std::size_t>(in_top ? k : k - 1);
        const double rank_thr = idx < top ? merged[idx] : -kInf;
        const double t = std::max(rank_thr, threshold(g, e, others_best));
        const double z = (t - base[static_cast<std::size_t>(e)]) / scale_;
        const double cdf = noise_ == RouterNoise::kGumbel ? std::exp(-std::exp(-z)) : 0.5 * std::erfc(-z / std::numbers::sqrt2);
        acc[static_cast<std::size_t>(e)] += t == -kInf ? 1.0 : 1.0 - cdf;
      }
    }
  }

 private:
  void draw(const std::vector<double>& base, Rng& rng) {
    for (std::size_t e = 0; e < base.size(); ++e) {
      double n;
      if (noise_ == RouterNoise::kGumbel) {
        double u = rng.uniform();
        while (u <= 0.0) u = rng.uniform();
        n = -std::log(-std::log(u));
      } else {
        n = rng.normal();
      }
      scores_[e] = base[e] + scale_ * n;
    }
  }

  void rank(Rng& rng) {
    const int gs = shape_.group_size();
    const auto better = [this](int x, int y) {
      const double sx = scores_[static_cast<std::size_t>(x)], sy = scores_[static_cast<std::size_t>(y)];
      return sx > sy || (sx == sy && x < y);
    };
    std::vector<int> members(static_cast<std::size_t>(gs));
    for (int g = 0; g < shape_.groups; ++g) {
      std::iota(members.begin(), members.end(), g * gs);
      std::partial_sort(members.begin(), members.begin() + keep_, members.end(), better);
      std::copy_n(members.begin(), keep_, group_top_.begin() + static_cast<std::ptrdiff_t>(g * keep_));
      const double best = scores_[static_cast<std::size_t>(members[0])];
      const bool two = rule_ == GroupScoreRule::kTop2Sum && gs > 1;
      group_score_[static_cast<std::size_t>(g)] = two ? best + scores_[static_cast<std::size_t>(members[1])] : best;
    }
    std::iota(group_order_.begin(), group_order_.end(), 0);
    if (rule_ == GroupScoreRule::kRandom) {
      for (std::size_t i = 0; i + 1 < group_order_.size(); ++i)
        std::swap(group_order_[i], group_order_[i + rng.below(group_order_.size() - i)]);
      return;
    }
    std::stable_sort(group_order_.begin(), group_order_.end(), [this](int x, int y) {
      return group_score_[static_cast<std::size_t>(x)] > group_score_[static_cast<std::size_t>(y)];
    });
  }

  void last_choice(std::vector<int>& out) {
    std::vector<int> cand;
    for (int i = 0; i < shape_.limited_groups; ++i) {
      const auto first = group_top_.begin() + static_cast<std::ptrdiff_t>(group_order_[static_cast<std::size_t>(i)] * keep_);
      cand.insert(cand.end(), first, first + keep_);
    }
    std::partial_sort(cand.begin(), cand.begin() + shape_.top_k, cand.end(), [this](int x, int y) {
      const double sx = scores_[static_cast<std::size_t>(x)], sy = scores_[static_cast<std::size_t>(y)];
      return sx > sy || (sx == sy && x < y);
    });
    out.assign(cand.begin(), cand.begin() + shape_.top_k);
  }

  double threshold(int group, int expert, double others_best) const {
    if (others_best == -kInf) return -kInf;
    double a = -kInf, b = -kInf;
    for (int i = 0; i < keep_; ++i) {
      const int x = group_top_[static_cast<std::size_t>(group * keep_ + i)];
      if (x == expert) continue;
      if (a == -kInf) a = scores_[static_cast<std::size_t>(x)];
      else if (b == -kInf) b = scores_[static_cast<std::size_t>(x)];
    }
    if (a == -kInf) return others_best;
    if (rule_ == GroupScoreRule::kMax) return a > others_best ? -kInf : others_best;
    return (b != -kInf && a + b > others_best) ? -kInf : others_best - a;
  }

  RouterShape shape_;
  RouterNoise noise_;
  GroupScoreRule rule_;
  double scale_;
  int keep_;
  std::vector<double> scores_, group_score_;
  std::vector<int> group_top_, group_order_;
};

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

struct Case {
  RouterShape shape;
  RouterNoise noise;
  GroupScoreRule rule;
  double scale;
};

TEST(TokenRouterReference, EveryChoiceAndEveryProbabilityBitMatchesTheOriginalAlgorithm) {
  const Case cases[] = {
      {{256, 8, 4, 8}, RouterNoise::kGumbel, GroupScoreRule::kTop2Sum, 1.0},  // DeepSeek-V3
      {{256, 8, 4, 8}, RouterNoise::kGumbel, GroupScoreRule::kTop2Sum, 0.1},  // sharp: scores far apart
      {{256, 8, 4, 8}, RouterNoise::kGaussian, GroupScoreRule::kMax, 0.5},
      {{32, 4, 2, 4}, RouterNoise::kGumbel, GroupScoreRule::kRandom, 0.7},
      {{64, 16, 3, 8}, RouterNoise::kGumbel, GroupScoreRule::kTop2Sum, 1.0},  // groups of 4 < top_k + 1
      {{16, 1, 1, 2}, RouterNoise::kGaussian, GroupScoreRule::kTop2Sum, 2.0},  // one group
  };
  for (const Case& c : cases) {
    TokenRouter fast(c.shape, c.noise, c.rule, c.scale);
    ReferenceRouter ref(c.shape, c.noise, c.rule, c.scale);
    const auto n = static_cast<std::size_t>(c.shape.experts);
    std::vector<double> base(n);
    Rng lrng(5);
    for (std::size_t e = 0; e < n; ++e) base[e] = -0.5 * std::log(e + 1.0) + 0.05 * lrng.normal();  // Zipf-like + bias
    std::vector<double> acc_fast(n, 0.0), acc_ref(n, 0.0);
    std::vector<int> out_fast(static_cast<std::size_t>(c.shape.top_k)), out_ref;
    Rng a1(17), a2(17), b1(23), b2(23);
    for (int t = 0; t < 400; ++t) {
      fast.add_inclusion_probabilities(base, a1, acc_fast);
      ref.add_inclusion(base, a2, acc_ref);
      fast.route(base, b1, out_fast);
      ref.route(base, b2, out_ref);
      ASSERT_EQ(out_fast, out_ref) << "token " << t << " experts " << c.shape.experts;
    }
    EXPECT_TRUE(same_bits(acc_fast, acc_ref)) << "experts " << c.shape.experts << " scale " << c.scale;
    // Ties: integer scores make many experts equal; the order (score, then index) must still match.
    Rng s1(3), s2(3), tie(9);
    for (int t = 0; t < 200; ++t) {
      std::vector<double> s(n);
      for (double& x : s) x = static_cast<double>(tie.below(4));
      fast.select(s, s1, out_fast);
      ref.select(s, s2, out_ref);
      ASSERT_EQ(out_fast, out_ref) << "tied token " << t;
    }
  }
}

// The tail shortcuts rest on these identities of the double-precision Gumbel CDF.
TEST(TokenRouterReference, GumbelTailsAreExactlyZeroAndOne) {
  for (double z = 40.0; z < 800.0; z = z * 1.001 + 1e-3) EXPECT_EQ(1.0 - std::exp(-std::exp(-z)), 0.0) << z;
  for (double z = -4.0; z > -800.0; z = z * 1.001 - 1e-3) EXPECT_EQ(1.0 - std::exp(-std::exp(-z)), 1.0) << z;
  // ... and they are tight enough to matter: just inside them the CDF is not yet rounded.
  EXPECT_GT(1.0 - std::exp(-std::exp(-36.0)), 0.0);
  EXPECT_LT(1.0 - std::exp(-std::exp(3.5)), 1.0);
}

}  // namespace
}  // namespace deepsim
