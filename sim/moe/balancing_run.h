// run_balancing: steps a MoeLoadModel through training steps (route every micro-batch of every MoE
// layer, observe, end the step) and reports the imbalance each step saw. This is the dynamics study of
// docs/moe.md: a skewed start under the aux-loss-free bias converges toward balance; EPLB cuts the
// per-GPU maximum at each rebalance.
#pragma once

#include <vector>

#include "sim/moe/moe_load_model.h"

namespace deepsim {

struct BalanceStepStats {
  int step = 0;
  double expert_max_over_mean = 0;       // step-summed tokens per expert, averaged over layers
  double gpu_max_over_mean = 0;          // per micro-batch tokens per GPU, averaged over micro-batches and layers
  double worst_gpu_max_over_mean = 0;    // the worst micro-batch and layer of the step
  double node_max_over_mean = 0;         // per micro-batch tokens per node, averaged
  double mean_nodes_per_token = 0;       // averaged over micro-batches and layers
};

[[nodiscard]] std::vector<BalanceStepStats> run_balancing(MoeLoadModel& model, int steps, int micro_batches,
                                                          int tokens_per_gpu, RoutingMode mode = RoutingMode::kAuto);

}  // namespace deepsim
