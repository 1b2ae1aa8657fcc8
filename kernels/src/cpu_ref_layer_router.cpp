// CPU references for the group-limited sigmoid router and the MoE permutation (cpu_ref_layer.h).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "kernels/cpu_ref_layer.h"

namespace deepsim::kernels {
namespace {

// Indices of the n largest values, by descending value, ties to the lower index.
std::vector<int> top_indices(const std::vector<double>& values, const std::vector<bool>& allowed, int n) {
  std::vector<int> idx;
  for (int i = 0; i < static_cast<int>(values.size()); ++i)
    if (allowed[static_cast<std::size_t>(i)]) idx.push_back(i);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return values[a] > values[b]; });
  idx.resize(static_cast<std::size_t>(n));
  return idx;
}

}  // namespace

RouterRefResult router_reference(const std::vector<float>& logits, const std::vector<float>& bias, int tokens,
                                 const RouterConfig& cfg) {
  const int E = cfg.num_experts;
  const int group_size = E / cfg.num_groups;
  if (E % cfg.num_groups != 0 || group_size < 2 || cfg.top_k > cfg.limited_groups * group_size)
    throw std::invalid_argument("router_reference: inconsistent router configuration");
  RouterRefResult r;
  r.topk_idx.resize(static_cast<std::size_t>(tokens) * cfg.top_k);
  r.topk_gate.resize(static_cast<std::size_t>(tokens) * cfg.top_k);
  std::vector<double> score(static_cast<std::size_t>(E));
  std::vector<double> biased(static_cast<std::size_t>(E));
  std::vector<double> group_score(static_cast<std::size_t>(cfg.num_groups));
  for (int t = 0; t < tokens; ++t) {
    for (int e = 0; e < E; ++e) {
      // Sigmoid evaluated in FP32, as the kernel does, so near-ties resolve the same way.
      const float x = logits[static_cast<std::size_t>(t) * E + e];
      score[e] = 1.0f / (1.0f + std::exp(-x));
      biased[e] = static_cast<float>(static_cast<float>(score[e]) + bias[e]);
    }
    for (int g = 0; g < cfg.num_groups; ++g) {
      std::vector<double> members(biased.begin() + g * group_size, biased.begin() + (g + 1) * group_size);
      std::partial_sort(members.begin(), members.begin() + 2, members.end(), std::greater<>());
      group_score[g] = static_cast<float>(members[0] + members[1]);  // FP32, as the kernel
    }
    const std::vector<int> groups =
        top_indices(group_score, std::vector<bool>(static_cast<std::size_t>(cfg.num_groups), true), cfg.limited_groups);
    std::vector<bool> allowed(static_cast<std::size_t>(E), false);
    for (int g : groups)
      for (int e = g * group_size; e < (g + 1) * group_size; ++e) allowed[static_cast<std::size_t>(e)] = true;
    const std::vector<int> experts = top_indices(biased, allowed, cfg.top_k);
    double sum = 0.0;
    for (int e : experts) sum += score[e];
    for (int i = 0; i < cfg.top_k; ++i) {
      const std::size_t at = static_cast<std::size_t>(t) * cfg.top_k + i;
      r.topk_idx[at] = experts[i];
      r.topk_gate[at] = static_cast<float>(cfg.route_scale * score[experts[i]] / sum);
    }
  }
  return r;
}

MoePermuteRefResult moe_permute_reference(const std::vector<int32_t>& topk_idx, const std::vector<float>& x,
                                          int tokens, int top_k, int num_experts, int hidden) {
  MoePermuteRefResult r;
  r.expert_counts.assign(static_cast<std::size_t>(num_experts), 0);
  for (int32_t e : topk_idx) ++r.expert_counts[static_cast<std::size_t>(e)];
  r.expert_offsets.assign(static_cast<std::size_t>(num_experts) + 1, 0);
  std::partial_sum(r.expert_counts.begin(), r.expert_counts.end(), r.expert_offsets.begin() + 1);
  const std::size_t rows = static_cast<std::size_t>(tokens) * top_k;
  r.perm_row.assign(rows, -1);
  r.perm_token.assign(rows, -1);
  r.x_perm.assign(rows * hidden, 0.f);
  std::vector<int32_t> next(r.expert_offsets.begin(), r.expert_offsets.end() - 1);
  for (int t = 0; t < tokens; ++t) {  // token-major walk: stable within each expert
    for (int k = 0; k < top_k; ++k) {
      const int32_t row = next[static_cast<std::size_t>(topk_idx[static_cast<std::size_t>(t) * top_k + k])]++;
      r.perm_row[static_cast<std::size_t>(t) * top_k + k] = row;
      r.perm_token[static_cast<std::size_t>(row)] = t;
      std::copy_n(&x[static_cast<std::size_t>(t) * hidden], hidden, &r.x_perm[static_cast<std::size_t>(row) * hidden]);
    }
  }
  return r;
}

std::vector<float> moe_unpermute_reference(const std::vector<float>& y_perm, const std::vector<int32_t>& perm_row,
                                           const std::vector<float>& gates, int tokens, int top_k, int hidden) {
  std::vector<float> out(static_cast<std::size_t>(tokens) * hidden);
  for (int t = 0; t < tokens; ++t) {
    for (int j = 0; j < hidden; ++j) {
      double acc = 0.0;
      for (int k = 0; k < top_k; ++k) {
        const std::size_t at = static_cast<std::size_t>(t) * top_k + k;
        acc += static_cast<double>(gates[at]) * y_perm[static_cast<std::size_t>(perm_row[at]) * hidden + j];
      }
      out[static_cast<std::size_t>(t) * hidden + j] = static_cast<float>(acc);
    }
  }
  return out;
}

}  // namespace deepsim::kernels
