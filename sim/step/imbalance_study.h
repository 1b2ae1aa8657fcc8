// The cost of expert imbalance in one table: the same step simulated with perfectly balanced experts,
// with the configured skew and no balancing, with the auxiliary-loss-free bias update, with EPLB
// redundant experts, and with both (after the same number of training steps of dynamics).
#pragma once

#include <string>
#include <vector>

#include "sim/core/time.h"
#include "sim/moe/routing_spec.h"
#include "sim/scenario/scenario.h"
#include "sim/step/routing_sample_cache.h"

namespace deepsim {

struct ImbalanceRow {
  std::string variant;
  Time step;
  double vs_balanced = 0;     // step / balanced step - 1
  double gpu_max_over_mean = 1;
  double node_max_over_mean = 1;
  double nodes_per_token = 0;
};

// One row of the table: the load model and the warm-up steps it is simulated after.
struct ImbalanceVariant {
  std::string name;
  MoeRoutingSpec spec;
  int warmup_steps = 0;
};

// `spec` is the configured skew; its balancing and EPLB settings pick what the last rows switch on
// (EPLB hierarchical with ep redundant slots when none is configured).
[[nodiscard]] std::vector<ImbalanceVariant> imbalance_variants(const Scenario& s, const MoeRoutingSpec& spec,
                                                               int warmup_steps);
// The step simulated with one variant; vs_balanced is left 0 (set by finish_imbalance). The variants are
// independent, so a caller may simulate them on several threads sharing `cache`.
[[nodiscard]] ImbalanceRow imbalance_row(const Scenario& s, const ImbalanceVariant& v, RoutingSampleCache* cache = nullptr);
// Sets vs_balanced against the first row (perfect balance).
void finish_imbalance(std::vector<ImbalanceRow>& rows);

// All the rows, one after the other.
[[nodiscard]] std::vector<ImbalanceRow> imbalance_study(const Scenario& s, const MoeRoutingSpec& spec, int warmup_steps,
                                                        RoutingSampleCache* cache = nullptr);
[[nodiscard]] std::string format_imbalance(const std::vector<ImbalanceRow>& rows);

}  // namespace deepsim
