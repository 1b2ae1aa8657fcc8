// deepsim topo / net-bench: the fabric of a scenario, and collectives simulated on it.
#include <cmath>
#include <optional>
#include <iostream>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/cli/json_output.h"
#include "sim/core/error.h"
#include "sim/core/suggest.h"
#include "sim/net/net_report.h"
#include "sim/parallel/placement.h"
#include "sim/parallel/placement_text.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/scalar_codec.h"
#include "sim/net/token_routing.h"

namespace deepsim::cli {
namespace {

// One size: a number with an optional K, M or G suffix (powers of 1024, as nccl-tests reads them).
double parse_size(const std::string& item, const std::string& key) {
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
    throw InputError({}, key, "expected a size like 8, 1M, 64M or 1G, got '" + item + "'");
  }
  if (!(v > 0) || v * mult > 1e13) throw InputError({}, key, "sizes must be positive and at most 10 TB, got '" + item + "'");
  return v * mult;
}

std::vector<double> parse_sizes(const std::string& text) {
  std::vector<double> sizes;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) sizes.push_back(parse_size(item, "--bytes"));
  if (sizes.empty()) throw InputError({}, "--bytes", "no sizes given");
  return sizes;
}

constexpr int kMaxSizes = 64;

// nccl-tests' sweep: minbytes, minbytes x f, ... up to maxbytes (inclusive).
std::vector<double> sweep_sizes(const Args& args) {
  const bool sweep = args.has("minbytes") || args.has("maxbytes") || args.has("stepfactor");
  if (args.has("bytes")) {
    if (sweep) throw InputError({}, "--bytes", "give either --bytes or -b/-e/-f, not both");
    return parse_sizes(*args.get("bytes"));
  }
  if (!sweep) return {1073741824.0};
  const double lo = parse_size(args.get("minbytes").value_or("32M"), "-b/--minbytes");
  const double hi = args.has("maxbytes") ? parse_size(*args.get("maxbytes"), "-e/--maxbytes") : lo;
  if (hi < lo) throw InputError({}, "-e/--maxbytes", "maxbytes must be at least minbytes", "e.g. -b 8 -e 128M -f 2");
  const double f = args.get_double("stepfactor", 1.0, 1024.0).value_or(2.0);
  if (hi > lo && !(f > 1.0)) throw InputError({}, "-f/--stepfactor", "the step factor must be above 1 to sweep from -b to -e");
  std::vector<double> sizes;
  for (double b = lo; b <= hi * (1 + 1e-12); b *= f) {
    sizes.push_back(std::floor(b));
    if (static_cast<int>(sizes.size()) > kMaxSizes)
      throw InputError({}, "-f/--stepfactor", "more than " + std::to_string(kMaxSizes) + " sizes from -b to -e",
                       "raise -f or narrow -b/-e");
    if (!(f > 1.0)) break;
  }
  return sizes;
}

struct DataType {
  const char* name;
  int bytes;
};
constexpr DataType kTypes[] = {{"int8", 1},  {"uint8", 1},  {"int32", 4}, {"uint32", 4},   {"int64", 8},
                               {"uint64", 8}, {"half", 2},  {"float", 4}, {"double", 8}, {"bfloat16", 2}};

DataType data_type(const Args& args) {
  const std::string name = args.get("datatype").value_or("float");
  std::vector<std::string> names;
  for (const DataType& t : kTypes) {
    if (name == t.name) return t;
    names.emplace_back(t.name);
  }
  throw InputError({}, "-d/--datatype", "unknown data type '" + name + "'", suggestion_hint(name, names));
}

}  // namespace

int run_topo(const Args& args) {
  const Scenario s = load_scenario_file(args.positional().at(0), args.all("set"));
  const Topology t = build_topology(s.cluster);
  std::optional<Placement> placement;
  if (args.has("plan")) {
    // The plan's groups on this fabric; a plan the placement rules refuse is an input error at its key.
    const ParallelSpec& p = s.parallel;
    const PlacementProblem why =
        placement_problem(p.pp, p.dp, p.tp, p.ep, s.cluster.nodes, s.cluster.gpus_per_node, p.cp, p.expert_tp);
    if (!why.ok()) throw InputError(s.pos_of(why.key), why.key, why.describe(), why.hint);
    placement = Placement::make(p, s.cluster).value();
  }
  if (args.has("json")) {
    auto j = topology_json(t);
    if (placement) j["plan"] = placement_json(*placement);
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << describe_topology(t);
    if (placement) std::cout << "\n" << describe_placement(*placement);
  }
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
  const std::string protocol_name = args.get("protocol").value_or("auto");
  if (!parse_protocol(protocol_name, spec.protocol)) {
    const std::vector<std::string> names = {"auto", "LL", "LL128", "Simple", "none"};
    throw InputError({}, "--protocol", "unknown protocol '" + protocol_name + "'", suggestion_hint(protocol_name, names));
  }
  if (!protocol_offered(spec.kind, spec.protocol))
    throw InputError({}, "--protocol", "NCCL has no " + protocol_name + " protocol for " + name,
                     "point-to-point collectives (sendrecv, all-to-all) use LL or Simple");
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
  const std::vector<double> sizes = sweep_sizes(args);
  const bool ep = spec.kind == CollectiveKind::kDispatch || spec.kind == CollectiveKind::kCombine;
  const DataType type = data_type(args);
  if (ep && args.has("datatype"))
    throw InputError({}, "-d/--datatype", "dispatch and combine carry DeepEP's types (FP8 dispatch, BF16 combine)");
  if (ep && !s.model.is_moe()) throw InputError({}, "--collective", "dispatch and combine need an MoE model");
  const std::string mode = args.get("deepep-mode").value_or("normal");
  if (mode != "normal" && mode != "low-latency") {
    const std::vector<std::string> modes = {"normal", "low-latency"};
    throw InputError({}, "--deepep-mode", "unknown DeepEP mode '" + mode + "'", suggestion_hint(mode, modes));
  }
  if (args.has("deepep-mode") && !ep) throw InputError({}, "--deepep-mode", "only dispatch and combine run DeepEP's kernels");
  const bool low_latency = ep && mode == "low-latency";
  if (ep && spec.protocol != ProtocolChoice::kNone)
    spec.deepep_kernels = deepep_kernel_spec(s.cluster, s.parallel.comm_sms);
  NetBenchTable table;
  table.collective = name;
  table.gpus = gpus;
  table.nodes = nccl_group(fabric, spec.gpus).nodes;
  table.protocol = ep ? (spec.protocol == ProtocolChoice::kNone ? "none" : "deepep-" + mode) : protocol_name;
  // nccl-tests' count: elements per rank for the collectives whose size is the gathered buffer.
  const bool per_rank = spec.kind == CollectiveKind::kAllGather || spec.kind == CollectiveKind::kReduceScatter ||
                        spec.kind == CollectiveKind::kAllToAll;
  const bool reduces = spec.kind == CollectiveKind::kAllReduceRing || spec.kind == CollectiveKind::kAllReduceTree ||
                       spec.kind == CollectiveKind::kAllReduceHierarchical || spec.kind == CollectiveKind::kReduceScatter ||
                       spec.kind == CollectiveKind::kCombine;
  for (double bytes : sizes) {
    NetBenchRow row;
    row.bytes = bytes;
    row.redop = reduces ? "sum" : "none";
    row.type = ep ? (spec.kind == CollectiveKind::kDispatch ? "e4m3" : "bfloat16") : type.name;
    spec.bytes = Bytes(bytes);
    TokenRouting routing;
    if (ep) {
      // Dispatch/combine: `bytes` is one GPU's tokens x hidden (FP8 dispatch: 1 B per element plus scales).
      const int tokens = std::max(1, static_cast<int>(bytes / s.model.hidden));
      row.count = tokens;
      Rng rng = Rng(s.seed).fork("routing");
      const MoeSpec& moe = s.model.moe;
      routing = sample_group_limited_routing({moe.routed_experts, moe.expert_groups, moe.limited_groups, moe.top_k}, gpus,
                                             tokens, rng);
      spec.routing = &routing;
      spec.bytes_per_token = spec.kind == CollectiveKind::kDispatch ? dispatch_bytes_per_token(s.model.hidden)
                                                                     : combine_bytes_per_token(s.model.hidden);
    } else {
      row.count = static_cast<long long>(bytes / type.bytes / (per_rank ? gpus : 1));
    }
    if (low_latency) {
      // R25's pure-RDMA kernels: one message per (token, expert), no forwarding; analytic, no flows.
      const double msg = spec.kind == CollectiveKind::kDispatch ? deepep_low_latency_dispatch_bytes(s.model.hidden)
                                                                : deepep_low_latency_combine_bytes(s.model.hidden);
      const bool spans = table.nodes > 1;
      const Time latency = spans ? s.cluster.nic.latency_cross_leaf : s.cluster.nic.latency_same_leaf;
      CollectiveResult& r = row.result;
      r.time = deepep_low_latency_time(gpus, static_cast<int>(row.count), s.model.moe.top_k, msg,
                                       s.cluster.nic.line_rate * s.cluster.nic.achievable, latency);
      const double t = r.time.seconds();
      r.algbw_gbps = bytes / t / 1e9;
      r.busbw_gbps = r.algbw_gbps * (gpus - 1.0) / gpus;
      r.deepep_rdma_gbps = static_cast<double>(row.count) * s.model.moe.top_k * msg / t / 1e9;  // R25's count
      r.ib_gbps_per_gpu = r.deepep_rdma_gbps * (1.0 - 1.0 / gpus);
    } else {
      row.result = run_collective(fabric, spec);
    }
    table.rows.push_back(std::move(row));
  }
  if (args.has("json"))
    std::cout << net_bench_json(table).dump(2) << "\n";
  else
    std::cout << format_net_bench(table);
  return kExitOk;
}

}  // namespace deepsim::cli
