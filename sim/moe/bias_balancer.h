// BiasBalancer: DeepSeek-V3's auxiliary-loss-free load balancing (TR 2.1.2). Each expert carries a bias
// added to its affinity for selection only (the gating weights use the unbiased score); at the end of
// every step, per MoE layer,
//     b_e <- b_e + gamma * sign(mean_load - load_e)
// so an under-loaded expert becomes more attractive and an over-loaded one less. gamma = 0.001 in V3 for
// the first 14.3T tokens, then 0 (reference R13). The bias converges to a band of width ~gamma around the
// values that equalise the loads; the sign update keeps each step's change bounded whatever the skew.
#pragma once

#include <span>
#include <vector>

namespace deepsim {

class BiasBalancer {
 public:
  BiasBalancer(int layers, int experts, double gamma);

  [[nodiscard]] std::span<const double> bias(int layer) const;
  [[nodiscard]] double gamma() const { return gamma_; }
  // One update from the loads (tokens per expert) the layer saw over the step.
  void update(int layer, std::span<const double> expert_tokens);

 private:
  double gamma_;
  std::vector<std::vector<double>> bias_;
};

}  // namespace deepsim
