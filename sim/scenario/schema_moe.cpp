// Schema rows for the `moe:` section: where expert loads come from and how they are balanced
// (sim/moe/routing_spec.h; docs/moe.md). With the default `source: uniform` and no EPLB the step uses
// random group-limited routing; any other source or an EPLB policy runs the MoE load model in the step.
#include "sim/moe/routing_spec.h"
#include "sim/scenario/schema_builders.h"

namespace deepsim {
namespace {

using namespace schema_detail;
using R = MoeRoutingSpec;
using E = EplbSpec;
constexpr auto kMoe = &Scenario::moe;

const char* source_name(LoadSource v) { return to_string(v); }
const char* group_rule_name(GroupScoreRule v) { return to_string(v); }
const char* policy_name(EplbPolicy v) { return to_string(v); }
const char* replica_name(ReplicaRule v) { return to_string(v); }

}  // namespace

void add_moe_routing_fields(std::vector<Field>& out) {
  out.push_back(enum_field<load_source_names, source_name, kMoe, &R::source>(
      "moe.source", {"", "expert loads: balanced, uniform (random routing), zipf, dirichlet, hot, or a recorded trace"}));
  out.push_back(real_field<kMoe, &R::zipf_exponent>("moe.zipf_exponent", FieldKind::kReal, 0, 10,
                                                    {"", "Zipf exponent s: the rank-r expert's popularity ~ r^-s"}));
  out.push_back(real_field<kMoe, &R::dirichlet_concentration>(
      "moe.dirichlet_concentration", FieldKind::kReal, 1e-3, 1e6, {"", "Dirichlet alpha; small alpha = strong skew"}));
  out.push_back(real_field<kMoe, &R::hot_fraction>("moe.hot_fraction", FieldKind::kReal, 0, 1,
                                                   {"", "share of experts that are hot (source: hot)"}));
  out.push_back(real_field<kMoe, &R::hot_multiplier>("moe.hot_multiplier", FieldKind::kReal, 1, 1e6,
                                                     {"", "popularity of a hot expert relative to a cold one"}));
  out.push_back(real_field<kMoe, &R::layer_variation>(
      "moe.layer_variation", FieldKind::kReal, 0, 1, {"", "0: every layer has the same popularity; 1: independent layers"}));
  out.push_back(real_field<kMoe, &R::step_correlation>(
      "moe.step_correlation", FieldKind::kReal, 0, 1, {"", "AR(1) correlation of popularity between steps; 1: no drift"}));
  out.push_back(text_field<kMoe, &R::trace_path>("moe.trace_path", {"", "CSV routing trace (step,layer,expert,tokens) for source: trace"}));
  out.push_back(enum_field<group_score_rule_names, group_rule_name, kMoe, &R::group_score>(
      "moe.group_score", {"", "how a group is scored for group-limited routing (DeepSeek-V3: top2_sum)"}));
  out.push_back(bool_field<kMoe, &R::balancing>("moe.balancing", {"", "auxiliary-loss-free bias update (TR 2.1.2)"}));
  out.push_back(real_field<kMoe, &R::bias_gamma>("moe.bias_gamma", FieldKind::kReal, 0, 1,
                                                 {"", "bias update speed per step (DeepSeek-V3: 0.001)"}));
  out.push_back(enum_field<eplb_policy_names, policy_name, kMoe, &R::eplb, &E::policy>(
      "moe.eplb.policy", {"", "redundant experts: none, hierarchical or global (EPLB)"}));
  out.push_back(int_field<kMoe, &R::eplb, &E::redundant_experts>("moe.eplb.redundant_experts", 0, 1 << 16,
                                                                 {"experts", "extra expert slots per MoE layer"}));
  out.push_back(int_field<kMoe, &R::eplb, &E::rebalance_every_steps>(
      "moe.eplb.rebalance_every_steps", 1, 1 << 24, {"steps", "steps between EPLB placements"}));
  out.push_back(enum_field<replica_rule_names, replica_name, kMoe, &R::replica_rule>(
      "moe.replica_rule", {"", "which replica of a replicated expert a token goes to"}));
  out.push_back(int_field<kMoe, &R::probe_tokens>("moe.probe_tokens", 64, 1 << 20,
                                                  {"tokens", "tokens sampled to estimate selection probabilities"}));
  out.push_back(int_field<&Scenario::moe_warmup_steps>(
      "moe.warmup_steps", 0, 1 << 20, {"steps", "steps of bias / EPLB dynamics before the simulated step"}));
}

}  // namespace deepsim
