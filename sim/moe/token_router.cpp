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
  // The order is (score descending, index ascending), a total order, so the best keep_ of a group and
  // the group order are unique: insertion into short sorted runs gives exactly what a sort would, at a
  // fraction of partial_sort's heap work (a group holds 32 experts of which 9 are kept, per token).
  const int gs = shape_.group_size();
  const double* sc = scores_.data();
  for (int g = 0; g < shape_.groups; ++g) {
    int* top = group_top_.data() + static_cast<std::ptrdiff_t>(g * keep_);
    int n = 0;
    for (int e = g * gs; e < (g + 1) * gs; ++e) {
      const double s = sc[e];
      // Experts come in index order, so an equal score never beats one already kept.
      if (n == keep_) {
        if (!(s > sc[top[n - 1]])) continue;
        --n;
      }
      int i = n++;
      for (; i > 0 && s > sc[top[i - 1]]; --i) top[i] = top[i - 1];
      top[i] = e;
    }
    const double best = sc[top[0]];
    const bool two = rule_ == GroupScoreRule::kTop2Sum && gs > 1;
    group_score_[static_cast<std::size_t>(g)] = two ? best + sc[top[1]] : best;
  }
  if (rule_ == GroupScoreRule::kRandom) {
    std::iota(group_order_.begin(), group_order_.end(), 0);
    for (std::size_t i = 0; i + 1 < group_order_.size(); ++i)
      std::swap(group_order_[i], group_order_[i + rng.below(group_order_.size() - i)]);
    return;
  }
  // A stable insertion sort by group score, best first (equal scores keep the lower group first).
  for (int g = 0; g < shape_.groups; ++g) {
    const double s = group_score_[static_cast<std::size_t>(g)];
    int i = g;
    for (; i > 0 && group_score_[static_cast<std::size_t>(group_order_[static_cast<std::size_t>(i - 1)])] < s; --i)
      group_order_[static_cast<std::size_t>(i)] = group_order_[static_cast<std::size_t>(i - 1)];
    group_order_[static_cast<std::size_t>(i)] = g;
  }
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
  // A group's best keep_ >= top_k experts are the only ones of it that can make the top_k. Each group's
  // list is sorted best first, so a list stops at its first expert that does not beat the k-th so far.
  const int k = shape_.top_k;
  const double* sc = scores_.data();
  const auto better = [sc](int x, int y) { return sc[x] > sc[y] || (sc[x] == sc[y] && x < y); };
  int n = 0;
  for (int i = 0; i < shape_.limited_groups; ++i) {
    const int* list = group_top_.data() + static_cast<std::ptrdiff_t>(group_order_[static_cast<std::size_t>(i)] * keep_);
    for (int j = 0; j < keep_; ++j) {
      const int e = list[j];
      if (n == k) {
        if (!better(e, out[static_cast<std::size_t>(k - 1)])) break;
        --n;
      }
      int p = n++;
      for (; p > 0 && better(e, out[static_cast<std::size_t>(p - 1)]); --p) out[static_cast<std::size_t>(p)] = out[static_cast<std::size_t>(p - 1)];
      out[static_cast<std::size_t>(p)] = e;
    }
  }
}

void TokenRouter::route(std::span<const double> base, Rng& rng, std::span<int> out) {
  draw_scores(base, rng);
  pick(rng, out);
}

double TokenRouter::noise_cdf(double z) const {
  if (noise_ == RouterNoise::kGumbel) return std::exp(-std::exp(-z));
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

double TokenRouter::noise_tail(double z) const {
  // Gumbel: 1 - exp(-exp(-z)) is exactly 0 in doubles above z = 40 (exp(-z) < 2^-57, so the inner exp
  // rounds to 1) and exactly 1 below z = -4 (exp(-exp(4)) < 2^-78). Most experts of a token sit in one
  // of those tails: skipping the two exp calls there changes no bit (tests/moe/token_router_test.cpp).
  if (noise_ == RouterNoise::kGumbel) {
    if (z > 40.0) return 0.0;
    if (z < -4.0) return 1.0;
  }
  return 1.0 - noise_cdf(z);
}

// The lowest own score with which `expert`'s group still makes the cut, given `others_best`, the score
// the group must beat (the limited_groups-th best among the other groups).
double TokenRouter::group_threshold(int group, int expert, double others_best) const {
  if (others_best == -kInf) return -kInf;
  double a = -kInf, b = -kInf;  // the group's best two scores without `expert`
  const int* top = group_top_.data() + static_cast<std::ptrdiff_t>(group * keep_);
  for (int i = 0; i < keep_; ++i) {
    const int x = top[i];
    if (x == expert) continue;
    if (a == -kInf) a = scores_[static_cast<std::size_t>(x)];
    else if (b == -kInf) {
      b = scores_[static_cast<std::size_t>(x)];
      if (b != -kInf) break;  // later experts change neither a nor b
    }
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
  const double* sc = scores_.data();
  for (int g = 0; g < shape_.groups; ++g) {
    // The other groups that would join g, and the score g has to beat to be one of the m.
    double others_best = -kInf;
    bool chosen = rule_ != GroupScoreRule::kRandom;
    lists_.clear();
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
      lists_.push_back(group_top_.data() + static_cast<std::ptrdiff_t>(og * keep_));
    }
    if (!chosen) continue;  // kRandom: g is not among this token's groups
    lists_.push_back(group_top_.data() + static_cast<std::ptrdiff_t>(g * keep_));
    // The pool's best top_k+1 scores, best first: a merge of the lists, each already sorted best first.
    const auto top = std::min<std::size_t>(lists_.size() * static_cast<std::size_t>(keep_), static_cast<std::size_t>(k + 1));
    merged_.resize(top);
    heads_.assign(lists_.size(), 0);
    for (std::size_t r = 0; r < top; ++r) {
      std::size_t best = lists_.size();
      double v = -kInf;
      for (std::size_t l = 0; l < lists_.size(); ++l) {
        if (heads_[l] == keep_) continue;
        const double x = sc[lists_[l][heads_[l]]];
        if (best == lists_.size() || x > v) {
          best = l;
          v = x;
        }
      }
      ++heads_[best];
      merged_[r] = v;
    }
    for (int e = g * gs; e < (g + 1) * gs; ++e) {
      const double s = sc[e];
      // The k-th best of the pool without e: one further down when e itself is among the best k.
      const bool in_top = top >= static_cast<std::size_t>(k) && s >= merged_[static_cast<std::size_t>(k - 1)];
      const std::size_t idx = static_cast<std::size_t>(in_top ? k : k - 1);
      const double rank_thr = idx < top ? merged_[idx] : -kInf;
      const double t = std::max(rank_thr, group_threshold(g, e, others_best));
      acc[static_cast<std::size_t>(e)] += t == -kInf ? 1.0 : noise_tail((t - base[static_cast<std::size_t>(e)]) / scale_);
    }
  }
}

}  // namespace deepsim
