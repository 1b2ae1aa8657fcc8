// PopularityModel: per-expert popularity logits for every MoE layer, and their drift from step to step.
// A layer's logits are a fixed sorted profile (Zipf, hot-expert or Dirichlet shape) dealt out to experts
// by the rank of a latent Gaussian z_e: the most popular profile value goes to the expert with the largest
// z. The latents carry the dynamics:
//   z_{l,e} = sqrt(1-v) * s_e + sqrt(v) * u_{l,e}           (v = layer_variation; s shared by all layers)
//   s_{t+1} = rho * s_t + sqrt(1-rho^2) * eps,  same for u   (rho = step_correlation, eps ~ N(0,1))
// so z stays N(0,1) at every step, layers correlate by 1-v, and steps by rho. Drifting the latents rather
// than the logits keeps the skew itself stationary (the hottest expert is always the profile's hottest;
// only who it is changes); an AR(1) on Zipf logits would slowly turn them Gaussian and lose the tail.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/rng.h"
#include "sim/moe/routing_spec.h"

namespace deepsim {

class PopularityModel {
 public:
  // `rng` is the model's own stream; the same stream gives the same logits at every step.
  PopularityModel(const MoeRoutingSpec& spec, int moe_layers, int experts, Rng rng);

  [[nodiscard]] std::span<const double> logits(int layer) const;
  [[nodiscard]] int layers() const { return static_cast<int>(logits_.size()); }
  [[nodiscard]] int step() const { return step_; }
  // One AR(1) step of the latents; the logits follow.
  void advance();

  // The sorted (descending) profile of a source, for tests and docs: log-popularity by rank.
  [[nodiscard]] static std::vector<double> profile(const MoeRoutingSpec& spec, int experts, Rng& rng);

 private:
  void deal(int layer);

  double variation_ = 1.0;
  double rho_ = 1.0;
  Rng rng_;
  int step_ = 0;
  std::vector<double> shared_;                 // s_e
  std::vector<std::vector<double>> own_;       // u_{l,e}
  std::vector<std::vector<double>> profiles_;  // per layer, descending
  std::vector<std::vector<double>> logits_;    // per layer, per expert
};

}  // namespace deepsim
