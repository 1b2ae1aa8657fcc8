#include "sim/step/imbalance_study.h"

#include <cstdio>
#include <sstream>

#include "sim/core/format.h"
#include "sim/step/comm_costs.h"
#include "sim/step/moe_effects.h"
#include "sim/step/simulate.h"

namespace deepsim {

std::vector<ImbalanceVariant> imbalance_variants(const Scenario& s, const MoeRoutingSpec& spec, int warmup_steps) {
  MoeRoutingSpec balanced = spec;
  balanced.source = LoadSource::kBalanced;
  balanced.balancing = false;
  balanced.eplb.policy = EplbPolicy::kNone;
  MoeRoutingSpec skew = spec;
  skew.balancing = false;
  skew.eplb.policy = EplbPolicy::kNone;
  MoeRoutingSpec bias = skew;
  bias.balancing = true;
  MoeRoutingSpec eplb = skew;
  eplb.eplb = spec.eplb;
  if (eplb.eplb.policy == EplbPolicy::kNone) {
    eplb.eplb.policy = EplbPolicy::kHierarchical;
    eplb.eplb.redundant_experts = s.parallel.ep;
  }
  MoeRoutingSpec both = eplb;
  both.balancing = true;
  const std::string steps = std::to_string(warmup_steps);
  return {
      {"perfect balance", balanced, 0},
      {std::string("skew: ") + to_string(spec.source) + ", no balancing", skew, 0},
      {"bias balancing (gamma " + fixed(spec.bias_gamma, 4) + ", " + steps + " steps)", bias, warmup_steps},
      {std::string("EPLB ") + to_string(eplb.eplb.policy) + " (+" + std::to_string(eplb.eplb.redundant_experts) +
           " experts, " + steps + " steps)",
       eplb, warmup_steps},
      {"bias + EPLB", both, warmup_steps},
  };
}

ImbalanceRow imbalance_row(const Scenario& s, const ImbalanceVariant& v, RoutingSampleCache* cache) {
  StepOptions o;
  o.routing = v.spec;
  o.warmup_steps = v.warmup_steps;
  o.routing_cache = cache;
  const StepSimulation r = simulate_step_full(s, o);
  return {v.name, r.result.step, 0, r.moe_gpu_max_over_mean, r.moe_node_max_over_mean, r.moe_nodes_per_token};
}

void finish_imbalance(std::vector<ImbalanceRow>& rows) {
  for (auto& r : rows) r.vs_balanced = r.step / rows.front().step - 1.0;
}

std::vector<ImbalanceRow> imbalance_study(const Scenario& s, const MoeRoutingSpec& spec, int warmup_steps,
                                          RoutingSampleCache* cache) {
  std::vector<ImbalanceRow> rows;
  for (const ImbalanceVariant& v : imbalance_variants(s, spec, warmup_steps)) rows.push_back(imbalance_row(s, v, cache));
  finish_imbalance(rows);
  return rows;
}

std::string format_imbalance(const std::vector<ImbalanceRow>& rows) {
  std::ostringstream out;
  out << "| variant | step | vs perfect balance | GPU max/mean | node max/mean | nodes/token |\n"
      << "|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    out << "| " << r.variant << " | " << format_time(r.step) << " | " << (r.vs_balanced >= 0 ? "+" : "")
        << fixed(100 * r.vs_balanced, 1) << "% | " << fixed(r.gpu_max_over_mean, 3) << " | "
        << fixed(r.node_max_over_mean, 3) << " | " << fixed(r.nodes_per_token, 2) << " |\n";
  }
  return out.str();
}

}  // namespace deepsim
