#include "sim/moe/popularity.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/core/error.h"

namespace deepsim {
namespace {

std::vector<double> normals(Rng rng, int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (double& x : v) x = rng.normal();
  return v;
}

void ar1(std::vector<double>& x, double rho, Rng rng) {
  const double w = std::sqrt(std::max(0.0, 1.0 - rho * rho));
  for (double& v : x) v = rho * v + w * rng.normal();
}

}  // namespace

std::vector<double> PopularityModel::profile(const MoeRoutingSpec& spec, int experts, Rng& rng) {
  std::vector<double> p(static_cast<std::size_t>(experts), 0.0);
  switch (spec.source) {
    case LoadSource::kZipf:
      for (int r = 0; r < experts; ++r) p[static_cast<std::size_t>(r)] = -spec.zipf_exponent * std::log(r + 1.0);
      break;
    case LoadSource::kHot: {
      const auto hot = static_cast<int>(std::lround(spec.hot_fraction * experts));
      for (int r = 0; r < hot; ++r) p[static_cast<std::size_t>(r)] = std::log(spec.hot_multiplier);
      break;
    }
    case LoadSource::kDirichlet: {
      // Normalising the Gamma draws would only shift every logit by the same constant, which no top-k sees.
      for (double& x : p) x = std::log(std::max(rng.gamma(spec.dirichlet_concentration), 1e-300));
      std::sort(p.begin(), p.end(), std::greater<>());
      break;
    }
    case LoadSource::kBalanced:
    case LoadSource::kUniform:
    case LoadSource::kTrace:
      break;
  }
  return p;
}

PopularityModel::PopularityModel(const MoeRoutingSpec& spec, int moe_layers, int experts, Rng rng)
    : variation_(spec.layer_variation), rho_(spec.step_correlation), rng_(rng) {
  DEEPSIM_ASSERT(moe_layers >= 0 && experts > 0, "popularity needs experts");
  shared_ = normals(rng_.fork("shared"), experts);
  const Rng profiles_rng = rng_.fork("profile");
  for (int l = 0; l < moe_layers; ++l) {
    own_.push_back(normals(rng_.fork("layer").fork(static_cast<std::uint64_t>(l)), experts));
    // Same popularity in every layer (v = 0) means the same profile too, not only the same ranking.
    Rng pr = profiles_rng.fork(static_cast<std::uint64_t>(variation_ > 0.0 ? l : 0));
    profiles_.push_back(profile(spec, experts, pr));
    logits_.emplace_back(static_cast<std::size_t>(experts), 0.0);
    deal(l);
  }
}

std::span<const double> PopularityModel::logits(int layer) const {
  DEEPSIM_ASSERT(layer >= 0 && layer < layers(), "MoE layer index in range");
  return logits_[static_cast<std::size_t>(layer)];
}

void PopularityModel::deal(int layer) {
  const auto& own = own_[static_cast<std::size_t>(layer)];
  const std::size_t n = own.size();
  std::vector<double> z(n);
  const double a = std::sqrt(1.0 - variation_), b = std::sqrt(variation_);
  for (std::size_t e = 0; e < n; ++e) z[e] = a * shared_[e] + b * own[e];
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Ties (v = 0 with identical latents never differ by layer) resolve by expert index: deterministic.
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return z[static_cast<std::size_t>(x)] > z[static_cast<std::size_t>(y)]; });
  auto& out = logits_[static_cast<std::size_t>(layer)];
  const auto& prof = profiles_[static_cast<std::size_t>(layer)];
  for (std::size_t r = 0; r < n; ++r) out[static_cast<std::size_t>(order[r])] = prof[r];
}

void PopularityModel::advance() {
  ++step_;
  if (rho_ >= 1.0) return;
  const Rng step_rng = rng_.fork("drift").fork(static_cast<std::uint64_t>(step_));
  ar1(shared_, rho_, step_rng.fork("shared"));
  for (int l = 0; l < layers(); ++l) {
    ar1(own_[static_cast<std::size_t>(l)], rho_, step_rng.fork(static_cast<std::uint64_t>(l)));
    deal(l);
  }
}

}  // namespace deepsim
