#include "sim/moe/routed_batch.h"

#include <algorithm>
#include <utility>

#include "sim/core/error.h"

namespace deepsim {
namespace {

void fill_nodes(RoutedBatch& b, const EpLayout& layout) {
  b.node_tokens.assign(static_cast<std::size_t>(layout.nodes()), 0.0);
  for (int g = 0; g < layout.gpus; ++g)
    b.node_tokens[static_cast<std::size_t>(layout.node_of(g))] += b.gpu_tokens[static_cast<std::size_t>(g)];
}

// Chooses the replica slot of `expert` for a token from `src`.
class ReplicaChooser {
 public:
  ReplicaChooser(const ExpertPlacement& p, ReplicaRule rule)
      : p_(p), rule_(rule), next_(static_cast<std::size_t>(p.logical_experts), 0) {}

  int slot(int expert, int src) {
    const auto& reps = p_.replicas[static_cast<std::size_t>(expert)];
    if (reps.size() == 1) return reps[0];
    std::size_t& turn = next_[static_cast<std::size_t>(expert)];
    if (rule_ == ReplicaRule::kSameNodeFirst) {
      const int node = p_.layout.node_of(src);
      local_.clear();
      for (int s : reps)
        if (p_.layout.node_of(p_.gpu_of_slot(s)) == node) local_.push_back(s);
      if (!local_.empty()) return local_[turn++ % local_.size()];
    }
    return reps[turn++ % reps.size()];
  }

 private:
  const ExpertPlacement& p_;
  ReplicaRule rule_;
  std::vector<std::size_t> next_;
  std::vector<int> local_;
};

}  // namespace

ImbalanceStats imbalance(std::span<const double> loads) {
  ImbalanceStats s;
  if (loads.empty()) return s;
  double sum = 0;
  for (double x : loads) {
    s.max = std::max(s.max, x);
    sum += x;
  }
  s.mean = sum / static_cast<double>(loads.size());
  return s;
}

RoutedBatch assemble_per_token(const ExpertPlacement& placement, int tokens_per_source, int top_k,
                               std::vector<int> token_experts, ReplicaRule rule) {
  const EpLayout& layout = placement.layout;
  const auto tokens = static_cast<std::size_t>(layout.gpus) * static_cast<std::size_t>(tokens_per_source);
  DEEPSIM_ASSERT(token_experts.size() == tokens * static_cast<std::size_t>(top_k), "top_k experts per token");
  RoutedBatch b;
  b.sources = layout.gpus;
  b.tokens_per_source = tokens_per_source;
  b.top_k = top_k;
  b.per_token = true;
  b.expert_tokens.assign(static_cast<std::size_t>(placement.logical_experts), 0.0);
  b.gpu_tokens.assign(static_cast<std::size_t>(layout.gpus), 0.0);
  b.dest_gpus.resize(static_cast<std::size_t>(layout.gpus));
  b.dest_offsets.resize(static_cast<std::size_t>(layout.gpus));
  ReplicaChooser chooser(placement, rule);
  std::vector<int> gpus, nodes;
  double node_sum = 0, gpu_sum = 0;
  for (int src = 0; src < layout.gpus; ++src) {
    auto& dst = b.dest_gpus[static_cast<std::size_t>(src)];
    auto& off = b.dest_offsets[static_cast<std::size_t>(src)];
    off.reserve(static_cast<std::size_t>(tokens_per_source) + 1);
    off.push_back(0);
    for (int t = 0; t < tokens_per_source; ++t) {
      const std::size_t first = (static_cast<std::size_t>(src) * static_cast<std::size_t>(tokens_per_source) +
                                 static_cast<std::size_t>(t)) * static_cast<std::size_t>(top_k);
      gpus.clear();
      nodes.clear();
      for (int i = 0; i < top_k; ++i) {
        const int e = token_experts[first + static_cast<std::size_t>(i)];
        const int g = placement.gpu_of_slot(chooser.slot(e, src));
        b.expert_tokens[static_cast<std::size_t>(e)] += 1.0;
        b.gpu_tokens[static_cast<std::size_t>(g)] += 1.0;
        gpus.push_back(g);
        nodes.push_back(layout.node_of(g));
      }
      std::sort(gpus.begin(), gpus.end());
      gpus.erase(std::unique(gpus.begin(), gpus.end()), gpus.end());
      std::sort(nodes.begin(), nodes.end());
      node_sum += static_cast<double>(std::unique(nodes.begin(), nodes.end()) - nodes.begin());
      gpu_sum += static_cast<double>(gpus.size());
      for (int g : gpus) dst.push_back(static_cast<std::uint16_t>(g));
      off.push_back(static_cast<std::uint32_t>(dst.size()));
    }
  }
  fill_nodes(b, layout);
  b.token_experts = std::move(token_experts);
  if (tokens > 0) {
    b.mean_nodes_per_token = node_sum / static_cast<double>(tokens);
    b.mean_gpus_per_token = gpu_sum / static_cast<double>(tokens);
  }
  return b;
}

RoutedBatch assemble_aggregate(const ExpertPlacement& placement, int tokens_per_source, int top_k,
                               std::vector<double> expert_tokens, double mean_nodes_per_token,
                               double mean_gpus_per_token) {
  RoutedBatch b;
  b.sources = placement.layout.gpus;
  b.tokens_per_source = tokens_per_source;
  b.top_k = top_k;
  b.gpu_tokens = placement.gpu_load(expert_tokens);
  b.expert_tokens = std::move(expert_tokens);
  fill_nodes(b, placement.layout);
  b.mean_nodes_per_token = mean_nodes_per_token;
  b.mean_gpus_per_token = mean_gpus_per_token;
  return b;
}

}  // namespace deepsim
