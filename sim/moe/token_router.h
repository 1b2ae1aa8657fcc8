// TokenRouter: the group-limited top-k router of DeepSeek-V3 for one token, with a noise model for what
// makes tokens differ. A token's score for expert e is
//     s_e = base_e + score_scale * n_e,   base_e = score_scale * logit_e + bias_e,   n_e i.i.d. noise
// (the bias acts on selection only, as in TR 2.1.2). Selection, as DeepSeek-V3's gate does it: a group's
// score is the sum of its two best s_e (or the best, or a random choice of groups: GroupScoreRule); the
// token keeps the best limited_groups groups and takes the top_k experts by s_e inside them.
// inclusion_probabilities() is the Rao-Blackwellised estimate used by the aggregate mode: because
// selection is monotone in a token's own score, expert e is chosen iff s_e exceeds a threshold t_e set
// by the other experts' scores, so P(e chosen | others) = 1 - F((t_e - base_e) / score_scale), with F the
// noise CDF. Averaging that over probe tokens has far less variance than counting choices.
#pragma once

#include <span>
#include <vector>

#include "sim/core/rng.h"
#include "sim/moe/ep_layout.h"
#include "sim/moe/routing_spec.h"

namespace deepsim {

class TokenRouter {
 public:
  TokenRouter(RouterShape shape, RouterNoise noise, GroupScoreRule rule, double score_scale);

  [[nodiscard]] const RouterShape& shape() const { return shape_; }
  // Draws one token's noise over `base` (size E) and writes its top_k experts to `out` (size top_k),
  // best first.
  void route(std::span<const double> base, Rng& rng, std::span<int> out);
  // Selection from given scores, no noise; `rng` is used only by GroupScoreRule::kRandom.
  void select(std::span<const double> scores, Rng& rng, std::span<int> out);
  // Draws one token's noise and adds P(e chosen | the other experts' scores) to acc[e] for every e.
  void add_inclusion_probabilities(std::span<const double> base, Rng& rng, std::span<double> acc);
  // The experts the last token of add_inclusion_probabilities() actually chose (for node statistics).
  void last_choice(std::span<int> out);

 private:
  void draw_scores(std::span<const double> base, Rng& rng);
  void rank_groups(Rng& rng);
  void pick(Rng& rng, std::span<int> out);  // selection from scores_
  [[nodiscard]] double noise_cdf(double z) const;
  [[nodiscard]] double noise_tail(double z) const;  // 1 - noise_cdf(z), exact shortcuts in the far tails
  [[nodiscard]] double group_threshold(int group, int expert, double others_best) const;

  RouterShape shape_;
  RouterNoise noise_;
  GroupScoreRule rule_;
  double scale_;
  int keep_;                        // per group, the best `keep_` experts are kept sorted
  std::vector<double> scores_;      // s_e of the current token
  std::vector<int> group_top_;      // per group, its best keep_ experts, best first
  std::vector<double> group_score_;
  std::vector<int> group_order_;    // groups, best first (kRandom: a random order)
  std::vector<double> merged_;      // best top_k+1 scores of a candidate pool
  std::vector<const int*> lists_;   // the group lists that make up the pool
  std::vector<int> heads_;          // merge position in each of lists_
};

}  // namespace deepsim
