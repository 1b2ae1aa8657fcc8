// RoutedBatch: the routing of one micro-batch through one MoE layer of one EP group, in the shape the step
// builder consumes: tokens per expert (expert GEMM rows), per EP rank and per node after placement, and,
// in per-token mode, the distinct destination ranks of every token (what DeepEP dispatch and combine move;
// sim/net's collectives take exactly these per-token destination lists). Independent of the network code.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/moe/expert_placement.h"
#include "sim/moe/routing_spec.h"

namespace deepsim {

struct ImbalanceStats {
  double max = 0;
  double mean = 0;
  [[nodiscard]] double ratio() const { return mean > 0 ? max / mean : 1.0; }
};
[[nodiscard]] ImbalanceStats imbalance(std::span<const double> loads);

struct RoutedBatch {
  int sources = 0;            // EP ranks that send tokens (the whole group)
  int tokens_per_source = 0;  // tokens each rank routes in this micro-batch
  int top_k = 0;
  bool per_token = false;     // token_experts and the destination lists are filled
  std::vector<double> expert_tokens;  // per logical expert: (token, expert) pairs routed to it
  std::vector<double> gpu_tokens;     // per EP rank: rows its expert GEMMs process (replicas split)
  std::vector<double> node_tokens;    // per node of the group: the sum of its ranks' rows
  // Per token, source-major (token t of rank s at s*tokens_per_source + t): its top_k logical experts.
  std::vector<int> token_experts;
  // Per source rank: for each of its tokens a run of distinct destination ranks, ascending;
  // dest_offsets[s] has tokens_per_source + 1 entries delimiting the runs (the layout of sim/step's
  // TokenRouting, so converting is a copy).
  std::vector<std::vector<std::uint16_t>> dest_gpus;
  std::vector<std::vector<std::uint32_t>> dest_offsets;
  double mean_nodes_per_token = 0;  // distinct destination nodes (aggregate mode: estimated from probes)
  double mean_gpus_per_token = 0;   // distinct destination ranks (aggregate mode: estimated from probes)

  [[nodiscard]] ImbalanceStats expert_imbalance() const { return imbalance(expert_tokens); }
  [[nodiscard]] ImbalanceStats gpu_imbalance() const { return imbalance(gpu_tokens); }
  [[nodiscard]] ImbalanceStats node_imbalance() const { return imbalance(node_tokens); }
};

// Per-token mode: places every token's experts (replica by `rule`: round-robin counters per expert start
// at zero each micro-batch) and fills everything above.
[[nodiscard]] RoutedBatch assemble_per_token(const ExpertPlacement& placement, int tokens_per_source, int top_k,
                                             std::vector<int> token_experts, ReplicaRule rule);
// Aggregate mode: expert counts only; replicas share their expert's tokens evenly.
[[nodiscard]] RoutedBatch assemble_aggregate(const ExpertPlacement& placement, int tokens_per_source, int top_k,
                                             std::vector<double> expert_tokens, double mean_nodes_per_token,
                                             double mean_gpus_per_token);

}  // namespace deepsim
