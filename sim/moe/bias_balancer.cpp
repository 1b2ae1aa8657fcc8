#include "sim/moe/bias_balancer.h"

#include <numeric>

#include "sim/core/error.h"

namespace deepsim {

BiasBalancer::BiasBalancer(int layers, int experts, double gamma)
    : gamma_(gamma), bias_(static_cast<std::size_t>(layers), std::vector<double>(static_cast<std::size_t>(experts), 0.0)) {}

std::span<const double> BiasBalancer::bias(int layer) const {
  DEEPSIM_ASSERT(layer >= 0 && layer < static_cast<int>(bias_.size()), "MoE layer index in range");
  return bias_[static_cast<std::size_t>(layer)];
}

void BiasBalancer::update(int layer, std::span<const double> expert_tokens) {
  DEEPSIM_ASSERT(layer >= 0 && layer < static_cast<int>(bias_.size()), "MoE layer index in range");
  auto& b = bias_[static_cast<std::size_t>(layer)];
  DEEPSIM_ASSERT(expert_tokens.size() == b.size(), "one load per expert");
  if (b.empty()) return;
  const double mean = std::accumulate(expert_tokens.begin(), expert_tokens.end(), 0.0) / static_cast<double>(b.size());
  for (std::size_t e = 0; e < b.size(); ++e) {
    const double d = mean - expert_tokens[e];
    b[e] += d > 0 ? gamma_ : (d < 0 ? -gamma_ : 0.0);
  }
}

}  // namespace deepsim
