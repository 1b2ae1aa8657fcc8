#include "sim/moe/routing_spec.h"

#include <array>
#include <utility>

namespace deepsim {
namespace {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

constexpr NameTable<LoadSource, 6> kSources{{{LoadSource::kBalanced, "balanced"},
                                             {LoadSource::kUniform, "uniform"},
                                             {LoadSource::kZipf, "zipf"},
                                             {LoadSource::kDirichlet, "dirichlet"},
                                             {LoadSource::kHot, "hot"},
                                             {LoadSource::kTrace, "trace"}}};
constexpr NameTable<RouterNoise, 2> kNoises{{{RouterNoise::kGumbel, "gumbel"}, {RouterNoise::kGaussian, "gaussian"}}};
constexpr NameTable<GroupScoreRule, 3> kGroupRules{{{GroupScoreRule::kTop2Sum, "top2_sum"},
                                                    {GroupScoreRule::kMax, "max"},
                                                    {GroupScoreRule::kRandom, "random"}}};
constexpr NameTable<EplbPolicy, 3> kPolicies{
    {{EplbPolicy::kNone, "none"}, {EplbPolicy::kHierarchical, "hierarchical"}, {EplbPolicy::kGlobal, "global"}}};
constexpr NameTable<ReplicaRule, 2> kReplicaRules{
    {{ReplicaRule::kRoundRobin, "round_robin"}, {ReplicaRule::kSameNodeFirst, "same_node_first"}}};

template <class E, std::size_t N>
const char* name_of(const NameTable<E, N>& t, E v) {
  for (const auto& [e, n] : t)
    if (e == v) return n;
  return "?";
}

template <class E, std::size_t N>
std::optional<E> parse(const NameTable<E, N>& t, std::string_view s) {
  for (const auto& [e, n] : t)
    if (s == n) return e;
  return std::nullopt;
}

template <class E, std::size_t N>
std::vector<std::string> names(const NameTable<E, N>& t) {
  std::vector<std::string> out;
  for (const auto& entry : t) out.emplace_back(entry.second);
  return out;
}

void check_range(std::vector<SpecProblem>& out, const char* key, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi))
    out.push_back({key, "value " + std::to_string(v) + " is out of range",
                   "allowed: " + std::to_string(lo) + " to " + std::to_string(hi)});
}

void check_layout(std::vector<SpecProblem>& out, const MoeSpec& moe, int ep, int gpus_per_node) {
  const int e = moe.routed_experts;
  if (ep < 1 || gpus_per_node < 1) {
    out.push_back({"parallel.ep", "EP group and node size must be positive", ""});
    return;
  }
  if (e % ep != 0)
    out.push_back({"parallel.ep", "routed experts (" + std::to_string(e) + ") do not divide over ep = " +
                                      std::to_string(ep),
                   "choose ep dividing model.moe.routed_experts"});
  if (moe.expert_groups < 1 || e % moe.expert_groups != 0)
    out.push_back({"model.moe.expert_groups", "expert groups must divide the routed experts", ""});
  if (moe.limited_groups < 1 || moe.limited_groups > moe.expert_groups)
    out.push_back({"model.moe.limited_groups", "limited groups must lie in 1..expert_groups", ""});
  if (moe.top_k < 1 || moe.top_k > e)
    out.push_back({"model.moe.top_k", "top_k must lie in 1..routed_experts", ""});
  else if (moe.expert_groups > 0 && moe.limited_groups > 0 && e % moe.expert_groups == 0 &&
           moe.top_k > moe.limited_groups * (e / moe.expert_groups))
    out.push_back({"model.moe.top_k", "top_k exceeds the experts of the allowed groups", ""});
}

}  // namespace

const char* to_string(LoadSource v) { return name_of(kSources, v); }
const char* to_string(RouterNoise v) { return name_of(kNoises, v); }
const char* to_string(GroupScoreRule v) { return name_of(kGroupRules, v); }
const char* to_string(EplbPolicy v) { return name_of(kPolicies, v); }
const char* to_string(ReplicaRule v) { return name_of(kReplicaRules, v); }

std::optional<LoadSource> parse_load_source(std::string_view s) { return parse(kSources, s); }
std::optional<RouterNoise> parse_router_noise(std::string_view s) { return parse(kNoises, s); }
std::optional<GroupScoreRule> parse_group_score_rule(std::string_view s) { return parse(kGroupRules, s); }
std::optional<EplbPolicy> parse_eplb_policy(std::string_view s) { return parse(kPolicies, s); }
std::optional<ReplicaRule> parse_replica_rule(std::string_view s) { return parse(kReplicaRules, s); }
std::vector<std::string> load_source_names() { return names(kSources); }
std::vector<std::string> router_noise_names() { return names(kNoises); }
std::vector<std::string> group_score_rule_names() { return names(kGroupRules); }
std::vector<std::string> eplb_policy_names() { return names(kPolicies); }
std::vector<std::string> replica_rule_names() { return names(kReplicaRules); }

std::vector<SpecProblem> check_moe_routing_spec(const MoeRoutingSpec& s, const MoeSpec& moe, int ep,
                                                int gpus_per_node) {
  std::vector<SpecProblem> out;
  check_range(out, "moe.zipf_exponent", s.zipf_exponent, 0.0, 10.0);
  check_range(out, "moe.dirichlet_concentration", s.dirichlet_concentration, 1e-3, 1e6);
  check_range(out, "moe.hot_fraction", s.hot_fraction, 0.0, 1.0);
  check_range(out, "moe.hot_multiplier", s.hot_multiplier, 1e-3, 1e6);
  check_range(out, "moe.layer_variation", s.layer_variation, 0.0, 1.0);
  check_range(out, "moe.step_correlation", s.step_correlation, 0.0, 1.0);
  check_range(out, "moe.score_scale", s.score_scale, 1e-6, 1e6);
  check_range(out, "moe.bias_gamma", s.bias_gamma, 0.0, 1e3);
  check_range(out, "moe.probe_tokens", s.probe_tokens, 1, 1 << 24);
  check_range(out, "moe.per_token_max_tokens", static_cast<double>(s.per_token_max_tokens), 0, 1e12);
  check_range(out, "moe.eplb.redundant_experts", s.eplb.redundant_experts, 0, 1 << 20);
  check_range(out, "moe.eplb.rebalance_every_steps", s.eplb.rebalance_every_steps, 1, 1 << 30);
  if (s.source == LoadSource::kTrace && s.trace_path.empty())
    out.push_back({"moe.trace_path", "source 'trace' needs a trace_path", "a CSV with header step,layer,expert,tokens"});
  if (moe.routed_experts <= 0) return out;  // a dense model ignores the section
  check_layout(out, moe, ep, gpus_per_node);
  if (s.eplb.policy != EplbPolicy::kNone) {
    const int slots = moe.routed_experts + s.eplb.redundant_experts;
    if (ep > 0 && slots % ep != 0)
      out.push_back({"moe.eplb.redundant_experts",
                     "routed + redundant experts (" + std::to_string(slots) + ") must divide over ep = " +
                         std::to_string(ep),
                     "e.g. 64 redundant for 256 routed on EP64 (320 slots, 5 a GPU); 32 on EP32 (288, 9 a GPU)"});
    const int nodes = ep > gpus_per_node && gpus_per_node > 0 ? ep / gpus_per_node : 1;
    if (s.eplb.policy == EplbPolicy::kHierarchical && moe.expert_groups % nodes != 0)
      out.push_back({"moe.eplb.policy", "hierarchical EPLB needs the nodes of the EP group to divide the expert groups",
                     "use policy: global"});
  }
  return out;
}

}  // namespace deepsim
