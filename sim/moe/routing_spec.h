// MoeRoutingSpec: the `moe:` section of a scenario: where expert loads come from (balanced, synthetic
// skew, a recorded trace), how they drift, and how they are balanced (auxiliary-loss-free bias, EPLB
// redundant experts). Plain data; docs/moe.md lists every field's default and range, and
// check_moe_routing_spec() says which values are out of range so the loader can attach file:line.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/model_spec.h"

namespace deepsim {

enum class LoadSource {
  kBalanced,   // deterministic: every expert exactly tokens*top_k/E, every token the same node count
  kUniform,    // router with equal popularity and i.i.d. per-token noise (random routing)
  kZipf,       // popularity of the rank-r expert proportional to r^-zipf_exponent
  kDirichlet,  // popularity drawn from a symmetric Dirichlet(dirichlet_concentration)
  kHot,        // a hot_fraction of experts are hot_multiplier times as popular as the rest
  kTrace,      // per-step, per-layer expert loads from a recorded CSV trace
};

enum class RouterNoise {
  kGumbel,    // with score_scale 1 the first choice is drawn proportional to popularity (softmax)
  kGaussian,
};

enum class GroupScoreRule {
  kTop2Sum,  // DeepSeek-V3: a group's score is the sum of its two best biased scores
  kMax,      // DeepEP's test harness: the best score in the group
  kRandom,   // the allowed groups are a uniform random choice (the analytic baseline)
};

enum class EplbPolicy { kNone, kHierarchical, kGlobal };

// Which replica of a replicated expert a token goes to.
enum class ReplicaRule {
  kRoundRobin,     // replicas take turns token by token: an even split, as EPLB's load estimate assumes
  kSameNodeFirst,  // a replica on the token's own node if there is one (saves InfiniBand), else round-robin
};

struct EplbSpec {
  EplbPolicy policy = EplbPolicy::kNone;
  int redundant_experts = 0;       // extra physical slots per MoE layer (V3 inference: 32, 288 in all)
  int rebalance_every_steps = 10;  // recompute the placement from the loads observed since the last one

  bool operator==(const EplbSpec&) const = default;
};

struct MoeRoutingSpec {
  LoadSource source = LoadSource::kUniform;
  double zipf_exponent = 1.0;            // s in p_r ~ r^-s
  double dirichlet_concentration = 1.0;  // alpha; small alpha = strong skew
  double hot_fraction = 0.05;            // share of experts that are hot
  double hot_multiplier = 4.0;           // popularity of a hot expert relative to a cold one
  double layer_variation = 1.0;          // 0: every layer has the same popularity; 1: independent layers
  double step_correlation = 1.0;         // rho of the AR(1) drift between steps; 1: no drift
  std::string trace_path;                // source: trace
  RouterNoise noise = RouterNoise::kGumbel;
  double score_scale = 1.0;              // units of a score: score = score_scale*(logit + noise) + bias
  GroupScoreRule group_score = GroupScoreRule::kTop2Sum;
  bool balancing = true;                 // auxiliary-loss-free bias update (TR 2.1.2)
  double bias_gamma = 0.001;             // bias update speed, in score units per step
  EplbSpec eplb;
  ReplicaRule replica_rule = ReplicaRule::kRoundRobin;
  std::uint64_t seed_offset = 0;         // added to the scenario seed for the routing streams
  std::int64_t per_token_max_tokens = 1 << 16;  // route() in auto mode samples per token up to this many
  int probe_tokens = 4096;               // tokens sampled to estimate selection probabilities (aggregate)

  bool operator==(const MoeRoutingSpec&) const = default;
};

[[nodiscard]] const char* to_string(LoadSource v);
[[nodiscard]] const char* to_string(RouterNoise v);
[[nodiscard]] const char* to_string(GroupScoreRule v);
[[nodiscard]] const char* to_string(EplbPolicy v);
[[nodiscard]] const char* to_string(ReplicaRule v);

// Parsers for the loader; exact lower-case spelling ("top2_sum", "same_node_first"). nullopt if unknown;
// the *_names() lists feed suggestion_hint().
[[nodiscard]] std::optional<LoadSource> parse_load_source(std::string_view s);
[[nodiscard]] std::optional<RouterNoise> parse_router_noise(std::string_view s);
[[nodiscard]] std::optional<GroupScoreRule> parse_group_score_rule(std::string_view s);
[[nodiscard]] std::optional<EplbPolicy> parse_eplb_policy(std::string_view s);
[[nodiscard]] std::optional<ReplicaRule> parse_replica_rule(std::string_view s);
[[nodiscard]] std::vector<std::string> load_source_names();
[[nodiscard]] std::vector<std::string> router_noise_names();
[[nodiscard]] std::vector<std::string> group_score_rule_names();
[[nodiscard]] std::vector<std::string> eplb_policy_names();
[[nodiscard]] std::vector<std::string> replica_rule_names();

// One out-of-range value: key as in the scenario ("moe.eplb.redundant_experts"), message and hint.
struct SpecProblem {
  std::string key;
  std::string message;
  std::string hint;
};

// Checks ranges and the cross-section constraints (EP layout vs experts and groups, slots divisible by
// GPUs). Empty when the spec is usable with this model and EP layout.
[[nodiscard]] std::vector<SpecProblem> check_moe_routing_spec(const MoeRoutingSpec& spec, const MoeSpec& moe, int ep,
                                                              int gpus_per_node);

}  // namespace deepsim
