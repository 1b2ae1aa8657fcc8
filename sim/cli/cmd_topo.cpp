// deepsim topo / net-bench: the fabric of a scenario, and collectives simulated on it.
#include <iostream>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/cli/json_output.h"
#include "sim/core/error.h"
#include "sim/core/suggest.h"
#include "sim/net/net_report.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/scalar_codec.h"
#include "sim/net/token_routing.h"

namespace deepsim::cli {
namespace {

std::vector<double> parse_sizes(const std::string& text) {
  std::vector<double> sizes;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    double mult = 1;
    std::string num = item;
    if (!num.empty()) {
      const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(num.back())));
      if (u == 'K' || u == 'M' || u == 'G') {
        mult = u == 'K' ? 1024.0 : u == 'M' ? 1048576.0 : 1073741824.0;
        num.pop_back();
      }
    }
    double v = 0;
    try {
      std::size_t used = 0;
      v = std::stod(num, &used);
      if (used != num.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw InputError({}, "--bytes", "expected sizes like 1M,64M,1G, got '" + item + "'");
    }
    if (!(v > 0) || v * mult > 1e13) throw InputError({}, "--bytes", "sizes must be positive and at most 10 TB, got '" + item + "'");
    sizes.push_back(v * mult);
  }
  if (sizes.empty()) throw InputError({}, "--bytes", "no sizes given");
  return sizes;
}

}  // namespace

int run_topo(const Args& args) {
  const Scenario s = load_scenario_file(args.positional().at(0), args.all("set"));
  const Topology t = build_topology(s.cluster);
  if (args.has("json"))
    std::cout << topology_json(t).dump(2) << "\n";
  else
    std::cout << describe_topology(t);
  return kExitOk;
}

int run_net_bench(const Args& args) {
  const Scenario s = load_scenario_file(args.positional().at(0), args.all("set"));
  const std::string name = args.get("collective").value_or("all-reduce");
  CollectiveSpec spec;
  if (!parse_collective(name, spec.kind)) {
    std::vector<std::string> names;
    for (int i = 0; i <= static_cast<int>(CollectiveKind::kCombine); ++i) names.emplace_back(to_string(static_cast<CollectiveKind>(i)));
    throw InputError({}, "--collective", "unknown collective '" + name + "'", suggestion_hint(name, names));
  }
  const Topology fabric = build_topology(s.cluster);
  int gpus = fabric.counts.gpus;
  if (auto g = args.get_int("gpus", 2, fabric.counts.gpus)) gpus = static_cast<int>(*g);
  for (int i = 0; i < gpus; ++i) spec.gpus.push_back(i);
  const std::string routing_name = args.get("routing").value_or("ecmp");
  if (routing_name == "adaptive") {
    spec.policy = RoutingPolicy::kAdaptive;
  } else if (routing_name != "ecmp") {
    const std::vector<std::string> policies = {"ecmp", "adaptive"};
    throw InputError({}, "--routing", "unknown routing policy '" + routing_name + "'", suggestion_hint(routing_name, policies));
  }
  std::vector<NetBenchRow> rows;
  const bool ep = spec.kind == CollectiveKind::kDispatch || spec.kind == CollectiveKind::kCombine;
  for (double bytes : parse_sizes(args.get("bytes").value_or("1G"))) {
    NetBenchRow row;
    row.bytes = bytes;
    spec.bytes = Bytes(bytes);
    TokenRouting routing;
    if (ep) {
      // Dispatch/combine: `bytes` is one GPU's tokens x hidden (FP8 dispatch: 1 B per element plus scales).
      if (!s.model.is_moe()) throw InputError({}, "--collective", "dispatch and combine need an MoE model");
      const int tokens = std::max(1, static_cast<int>(bytes / s.model.hidden));
      Rng rng = Rng(s.seed).fork("routing");
      const MoeSpec& moe = s.model.moe;
      routing = sample_group_limited_routing({moe.routed_experts, moe.expert_groups, moe.limited_groups, moe.top_k}, gpus,
                                             tokens, rng);
      spec.routing = &routing;
      spec.bytes_per_token = spec.kind == CollectiveKind::kDispatch ? dispatch_bytes_per_token(s.model.hidden)
                                                                     : combine_bytes_per_token(s.model.hidden);
    }
    row.result = run_collective(fabric, spec);
    rows.push_back(std::move(row));
  }
  if (args.has("json"))
    std::cout << net_bench_json(name, gpus, rows).dump(2) << "\n";
  else
    std::cout << format_net_bench(name, gpus, rows);
  return kExitOk;
}

}  // namespace deepsim::cli
