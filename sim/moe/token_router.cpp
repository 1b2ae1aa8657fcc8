#include "sim/moe/token_router.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "sim/core/error.h"

namespace deepsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// One draw of standard Gumbel noise: -log(-log u), u in (0, 1).
double gumbel(Rng& rng) {
  double u = rng.uniform();
  while (u <= 0.0) u = rng.uniform();
  return -std::log(-std::log(u));
}

}  // namespace

TokenRouter::TokenRouter(RouterShape shape, RouterNoise noise, GroupScoreRule rule, double score_scale)
    : shape_(shape), noise_(noise), rule_(rule), scale_(score_scale) {
  shape_.check();
  DEEPSIM_ASSERT(scale_ > 0, "score scale is positive");
  // Selection needs a group's best top_k; the group threshold needs its best three (best two without e).
  keep_ = std::min(shape_.group_size(), std::max(shape_.top_k + 1, 3));
  scores_.resize(static_cast<std::size_t>(shape_.experts));
  group_top_.resize(static_cast<std::size_t>(shape_.groups * keep_));
  group_score_.resize(static_cast<std::size_t>(shape_.groups));
  group_order_.resize(static_cast<std::size_t>(shape_.groups));
}

void TokenRouter::draw_scores(std::span<const double> base, Rng& rng) {
  DEEPSIM_ASSERT(static_cast<int>(base.size()) == shape_.experts, "one base score per expert");
  for (std::size_t e = 0; e < base.size(); ++e)
    scores_[e] = base[e] + scale_ * (noise_ == RouterNoise::kGumbel ? gumbel(rng) : rng.normal());
}

void TokenRouter::rank_groups(Rng& rng) {
  const int gs = shape_.group_size();
  const auto better = [this](int x, int y) {
    const double sx = scores_[static_cast<std::size_t>(x)], sy = scores_[static_cast<std::size_t>(y)];
    return sx > sy || (sx == sy && x < y);
  };
  std::vector<int>& members = pool_;
  members.resize(static_cast<std::size_t>(gs));
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

void TokenRouter::select(std::span<const double> scores, Rng& rng, std::span<int> out) {
  DEEPSIM_ASSERT(static_cast<int>(scores.size()) == shape_.experts, "one score per expert");
  std::copy(scores.begin(), scores.end(), scores_.begin());
  pick(rng, out);
}

void TokenRouter::pick(Rng& rng, std::span<int> out) {
  rank_groups(rng);
  last_choice(out);
}

void TokenRouter::last_choice(std::span<int> out) {
  DEEPSIM_ASSERT(static_cast<int>(out.size()) == shape_.top_k, "one slot per routed expert");
  // A group's best keep_ >= top_k experts are the only ones of it that can make the top_k.
  std::vector<int>& cand = pool_;
  cand.clear();
  for (int i = 0; i < shape_.limited_groups; ++i) {
    const auto first = group_top_.begin() + static_cast<std::ptrdiff_t>(group_order_[static_cast<std::size_t>(i)] * keep_);
    cand.insert(cand.end(), first, first + keep_);
  }
  std::partial_sort(cand.begin(), cand.begin() + shape_.top_k, cand.end(), [this](int x, int y) {
    const double sx = scores_[static_cast<std::size_t>(x)], sy = scores_[static_cast<std::size_t>(y)];
    return sx > sy || (sx == sy && x < y);
  });
  std::copy_n(cand.begin(), shape_.top_k, out.begin());
}

void TokenRouter::route(std::span<const double> base, Rng& rng, std::span<int> out) {
  draw_scores(base, rng);
  pick(rng, out);
}

double TokenRouter::noise_cdf(double z) const {
  if (noise_ == RouterNoise::kGumbel) return std::exp(-std::exp(-z));
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

// The lowest own score with which `expert`'s group still makes the cut, given `others_best`, the score
// the group must beat (the limited_groups-th best among the other groups).
double TokenRouter::group_threshold(int group, int expert, double others_best) const {
  if (others_best == -kInf) return -kInf;
  double a = -kInf, b = -kInf;  // the group's best two scores without `expert`
  for (int i = 0; i < keep_; ++i) {
    const int x = group_top_[static_cast<std::size_t>(group * keep_ + i)];
    if (x == expert) continue;
    if (a == -kInf) a = scores_[static_cast<std::size_t>(x)];
    else if (b == -kInf) b = scores_[static_cast<std::size_t>(x)];
  }
  if (a == -kInf) return others_best;  // a group of one: its score is the expert's own
  if (rule_ == GroupScoreRule::kMax) return a > others_best ? -kInf : others_best;
  // top2_sum: the group scores a + max(s_e, b).
  return (b != -kInf && a + b > others_best) ? -kInf : others_best - a;
}

void TokenRouter::add_inclusion_probabilities(std::span<const double> base, Rng& rng, std::span<double> acc) {
  draw_scores(base, rng);
  rank_groups(rng);
  const int k = shape_.top_k, m = shape_.limited_groups, gs = shape_.group_size();
  for (int g = 0; g < shape_.groups; ++g) {
    // The other groups that would join g, and the score g has to beat to be one of the m.
    double others_best = -kInf;
    bool chosen = rule_ != GroupScoreRule::kRandom;
    merged_.clear();
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
      for (int i = 0; i < keep_; ++i) merged_.push_back(scores_[static_cast<std::size_t>(group_top_[static_cast<std::size_t>(og * keep_ + i)])]);
    }
    if (!chosen) continue;  // kRandom: g is not among this token's groups
    for (int i = 0; i < keep_; ++i) merged_.push_back(scores_[static_cast<std::size_t>(group_top_[static_cast<std::size_t>(g * keep_ + i)])]);
    const auto top = std::min<std::size_t>(merged_.size(), static_cast<std::size_t>(k + 1));
    std::partial_sort(merged_.begin(), merged_.begin() + static_cast<std::ptrdiff_t>(top), merged_.end(), std::greater<>());
    for (int e = g * gs; e < (g + 1) * gs; ++e) {
      const double s = scores_[static_cast<std::size_t>(e)];
      // The k-th best of the pool without e: one further down when e itself is among the best k.
      const bool in_top = top >= static_cast<std::size_t>(k) && s >= merged_[static_cast<std::size_t>(k - 1)];
      const std::size_t idx = static_cast<std::size_t>(in_top ? k : k - 1);
      const double rank_thr = idx < top ? merged_[idx] : -kInf;
      const double t = std::max(rank_thr, group_threshold(g, e, others_best));
      acc[static_cast<std::size_t>(e)] += t == -kInf ? 1.0 : 1.0 - noise_cdf((t - base[static_cast<std::size_t>(e)]) / scale_);
    }
  }
}

}  // namespace deepsim
