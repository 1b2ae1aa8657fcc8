#include "sim/net/collective.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "sim/core/error.h"

namespace deepsim {
namespace {

struct Ctx {
  const Topology& f;
  TaskGraph& g;
  Router router;
  CollectiveResult& info;
  bool wire_latency = true;  // false under a protocol: its per-hop latencies replace the links'
  std::uint64_t next_flow = 0;
  // Adds a flow from GPU a to GPU b; returns its task.
  TaskId flow(int a, int b, double bytes) {
    const Route r = router.route(a, b, next_flow++, bytes);
    const int gpu = a;
    info.bytes_sent += bytes;
    return g.add_flow(r.links, Bytes(bytes), wire_latency ? r.latency : Time::zero(), 0, gpu);
  }
  // A flow along an explicit route (already forwarded parts removed).
  TaskId flow_via_nic(int a, int b, double bytes) {
    const Route r = router.route_via_nic(a, b, next_flow++, bytes);
    info.bytes_sent += bytes;
    return g.add_flow(r.links, Bytes(bytes), wire_latency ? r.latency : Time::zero(), 0, a);
  }
};

// One ring pass of `steps` steps over `ranks`, each moving `chunk` bytes to the next rank; step k of a
// rank waits for step k-1 into it. `entry[i]` (optional) gates rank i's first step; returns the last
// flow into every rank.
std::vector<TaskId> ring(Ctx& c, const std::vector<int>& ranks, int steps, double chunk, const std::vector<TaskId>& entry) {
  const auto n = ranks.size();
  std::vector<TaskId> into(n), prev_into = entry;
  if (prev_into.empty()) prev_into.assign(n, TaskId{});
  if (n < 2) return prev_into;
  for (int s = 0; s < steps; ++s) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t next = (i + 1) % n;
      const TaskId t = c.flow(ranks[i], ranks[next], chunk);
      if (prev_into[i].valid()) c.g.add_dep(prev_into[i], t);
      into[next] = t;
    }
    prev_into = into;
  }
  return prev_into;
}

// One binary tree in heap order over `ranks` (parent of position i is (i-1)/2), reducing `bytes` up to
// the root and broadcasting them down, pipelined in `chunks` pieces.
void one_tree(Ctx& c, const std::vector<int>& ranks, double bytes, int chunks) {
  const auto n = ranks.size();
  const double piece = bytes / chunks;
  // up[i][k]: chunk k of rank i's reduced data has reached its parent.
  std::vector<std::vector<TaskId>> up(n, std::vector<TaskId>(static_cast<std::size_t>(chunks)));
  for (std::size_t i = n; i-- > 1;) {
    const std::size_t parent = (i - 1) / 2;
    for (int k = 0; k < chunks; ++k) {
      const TaskId t = c.flow(ranks[i], ranks[parent], piece);
      for (std::size_t child : {2 * i + 1, 2 * i + 2})
        if (child < n) c.g.add_dep(up[child][static_cast<std::size_t>(k)], t);
      if (k > 0) c.g.add_dep(up[i][static_cast<std::size_t>(k - 1)], t);
      up[i][static_cast<std::size_t>(k)] = t;
    }
  }
  std::vector<std::vector<TaskId>> down(n, std::vector<TaskId>(static_cast<std::size_t>(chunks)));
  for (std::size_t i = 1; i < n; ++i) {
    const std::size_t parent = (i - 1) / 2;
    for (int k = 0; k < chunks; ++k) {
      const TaskId t = c.flow(ranks[parent], ranks[i], piece);
      // The root's chunk is complete when its children's chunks have arrived.
      const TaskId gate = parent == 0 ? TaskId{} : down[parent][static_cast<std::size_t>(k)];
      if (gate.valid()) c.g.add_dep(gate, t);
      for (std::size_t child : {std::size_t{1}, std::size_t{2}})
        if (parent == 0 && child < n) c.g.add_dep(up[child][static_cast<std::size_t>(k)], t);
      if (k > 0) c.g.add_dep(down[i][static_cast<std::size_t>(k - 1)], t);
      down[i][static_cast<std::size_t>(k)] = t;
    }
  }
}

// NCCL's double binary tree: half the data on a heap-ordered tree over the ranks, half on the tree over
// the reversed ranks. Heap positions below n/2 are the internal ones, so every rank is internal in at
// most one tree and sends at most S/2 up + 2 x S/2 down + S/2 up = 2S (one tree alone: 3S).
void tree_all_reduce(Ctx& c, const std::vector<int>& ranks, double bytes, int chunks) {
  one_tree(c, ranks, bytes / 2, chunks);
  one_tree(c, std::vector<int>(ranks.rbegin(), ranks.rend()), bytes / 2, chunks);
}

void hierarchical_all_reduce(Ctx& c, const std::vector<int>& ranks, double bytes) {
  std::map<int, std::vector<int>> by_node, by_local;
  for (int r : ranks) {
    by_node[c.f.node_of(r)].push_back(r);
    by_local[c.f.local_of(r)].push_back(r);
  }
  const double g = static_cast<double>(by_node.begin()->second.size());
  std::map<int, TaskId> done;  // per GPU: its last incoming flow so far
  for (auto& [node, gpus] : by_node) {
    const auto last = ring(c, gpus, static_cast<int>(gpus.size()) - 1, bytes / g, {});
    for (std::size_t i = 0; i < gpus.size(); ++i) done[gpus[i]] = last[i];
  }
  for (auto& [local, gpus] : by_local) {
    std::vector<TaskId> entry;
    for (int r : gpus) entry.push_back(done[r]);
    const auto last = ring(c, gpus, 2 * (static_cast<int>(gpus.size()) - 1), bytes / g / gpus.size(), entry);
    for (std::size_t i = 0; i < gpus.size(); ++i)
      if (last[i].valid()) done[gpus[i]] = last[i];
  }
  for (auto& [node, gpus] : by_node) {
    std::vector<TaskId> entry;
    for (int r : gpus) entry.push_back(done[r]);
    (void)ring(c, gpus, static_cast<int>(gpus.size()) - 1, bytes / g, entry);
  }
}

void all_to_all(Ctx& c, const CollectiveSpec& s, const std::vector<int>& ranks) {
  const auto n = ranks.size();
  auto bytes_of = [&](std::size_t i, std::size_t j) {
    return s.matrix.empty() ? s.bytes.value() / static_cast<double>(n) : s.matrix[i][j];
  };
  const bool mpft = c.f.cluster.topology.kind == TopologyKind::kMultiPlaneFatTree;
  if (!(mpft && s.aggregate)) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (i != j && bytes_of(i, j) > 0) (void)c.flow(ranks[i], ranks[j], bytes_of(i, j));
    return;
  }
  // MPFT, aggregated: NVLink hop to the plane's GPU (forwarding), IB per (node, plane, node), NVLink
  // inside the node for same-node pairs. All concurrent (forwarding pipelined with the IB transfer).
  const int g = c.f.cluster.gpus_per_node;
  std::map<std::pair<int, int>, double> nvlink;       // (src gpu, gpu) inside a node
  std::map<std::tuple<int, int, int>, double> ib;     // (src node, plane gpu local, dst node)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const double b = i == j ? 0 : bytes_of(i, j);
      if (b <= 0) continue;
      const int a = ranks[i], d = ranks[j];
      const int na = c.f.node_of(a), nd = c.f.node_of(d), ld = c.f.local_of(d);
      if (na == nd) {
        nvlink[{a, d}] += b;
        continue;
      }
      if (c.f.local_of(a) != ld) nvlink[{a, na * g + ld}] += b;
      ib[{na, ld, nd}] += b;
    }
  }
  for (const auto& [k, b] : nvlink) (void)c.flow(k.first, k.second, b);
  for (const auto& [k, b] : ib) {
    const auto [na, l, nd] = k;
    (void)c.flow_via_nic(na * g + l, nd * g + l, b);
  }
}

void deepep(Ctx& c, const CollectiveSpec& s, const std::vector<int>& ranks, bool combine) {
  DEEPSIM_ASSERT(s.routing != nullptr, "dispatch and combine need a routing");
  const auto n = ranks.size();
  const int g = c.f.cluster.gpus_per_node;
  std::map<std::pair<int, int>, double> ib, nvl;  // (from gpu, to gpu) in dispatch direction
  c.info.ib_bytes.assign(n, 0);
  c.info.nvlink_bytes.assign(n, 0);
  double unique_pairs = 0;
  std::vector<int> seen_gpu(n, -1);
  std::map<int, int> seen_node;
  int stamp = 0;
  for (std::size_t src = 0; src < n; ++src) {
    const int a = ranks[src];
    const auto& dst = s.routing->destinations[src];
    const auto& off = s.routing->offsets[src];
    for (std::size_t t = 0; t + 1 < off.size(); ++t, ++stamp) {
      for (auto k = off[t]; k < off[t + 1]; ++k) {
        const std::size_t di = dst[k];
        if (seen_gpu[di] == stamp) continue;
        seen_gpu[di] = stamp;
        const int d = ranks[di];
        const int nd = c.f.node_of(d);
        const int holder = nd == c.f.node_of(a) ? a : nd * g + c.f.local_of(a);
        auto it = seen_node.find(nd);
        if (it == seen_node.end() || it->second != stamp) {
          seen_node[nd] = stamp;
          unique_pairs += 1;
          if (holder != a) ib[{a, holder}] += s.bytes_per_token;
        }
        if (d != holder) nvl[{holder, d}] += s.bytes_per_token;
      }
    }
  }
  std::map<int, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) index[ranks[i]] = i;
  c.info.copy_bytes.assign(n, 0);
  for (const auto* m : {&ib, &nvl})
    for (const auto& [k, b] : *m) {
      c.info.copy_bytes[index[k.first]] += b;
      c.info.copy_bytes[index[k.second]] += b;
    }
  for (const auto& [k, b] : ib) {
    if (combine) {
      (void)c.flow_via_nic(k.second, k.first, b);
      c.info.ib_bytes[index[k.second]] += b;
    } else {
      (void)c.flow_via_nic(k.first, k.second, b);
      c.info.ib_bytes[index[k.first]] += b;
    }
  }
  for (const auto& [k, b] : nvl) {
    const int from = combine ? k.second : k.first, to = combine ? k.first : k.second;
    (void)c.flow(from, to, b);
    c.info.nvlink_bytes[index[from]] += b;
  }
  c.info.deepep_rdma_gbps = unique_pairs * s.bytes_per_token / static_cast<double>(n);  // bytes per GPU; / t later
}

bool is_deepep(CollectiveKind k) { return k == CollectiveKind::kDispatch || k == CollectiveKind::kCombine; }

std::vector<int> ranks_of(const Topology& topo, const CollectiveSpec& spec) {
  std::vector<int> ranks = spec.gpus;
  if (ranks.empty())
    for (int i = 0; i < topo.counts.gpus; ++i) ranks.push_back(i);
  return ranks;
}

// NCCL's latency and efficiency of protocol p for the collective (protocol_model.h).
std::pair<Time, double> protocol_floor(CollectiveKind kind, NcclProtocol p, const NcclGroup& g, int gpus_per_node) {
  NcclOp op = NcclOp::kAllReduce;
  NcclAlgorithm a = NcclAlgorithm::kRing;
  switch (kind) {
    case CollectiveKind::kSendRecv: op = NcclOp::kSendRecv; break;
    case CollectiveKind::kAllReduceTree: a = NcclAlgorithm::kTree; break;
    case CollectiveKind::kReduceScatter: op = NcclOp::kReduceScatter; break;
    case CollectiveKind::kAllGather: op = NcclOp::kAllGather; break;
    case CollectiveKind::kAllToAll: op = NcclOp::kAllToAll; break;
    case CollectiveKind::kAllReduceHierarchical: {
      const ProtocolFloor f = hierarchical_protocol_floor(op, p, g, std::min(gpus_per_node, g.ranks));
      return {f.latency, f.efficiency};
    }
    default: break;
  }
  const ProtocolFloor f = deepsim::protocol_floor(op, a, p, g);
  return {f.latency, f.efficiency};
}

bool offered(CollectiveKind kind, NcclProtocol p) {
  const bool p2p = kind == CollectiveKind::kSendRecv || kind == CollectiveKind::kAllToAll;
  return !(p2p && p == NcclProtocol::kLL128);
}

}  // namespace

bool protocol_offered(CollectiveKind kind, ProtocolChoice p) {
  return p == ProtocolChoice::kNone || p == ProtocolChoice::kAuto || is_deepep(kind) ||
         offered(kind, p == ProtocolChoice::kLL ? NcclProtocol::kLL : p == ProtocolChoice::kLL128 ? NcclProtocol::kLL128
                                                                                              : NcclProtocol::kSimple);
}

const char* to_string(ProtocolChoice p) {
  switch (p) {
    case ProtocolChoice::kNone: return "none";
    case ProtocolChoice::kAuto: return "auto";
    case ProtocolChoice::kLL: return "LL";
    case ProtocolChoice::kLL128: return "LL128";
    case ProtocolChoice::kSimple: return "Simple";
  }
  return "?";
}

bool parse_protocol(const std::string& name, ProtocolChoice& out) {
  for (auto p : {ProtocolChoice::kNone, ProtocolChoice::kAuto, ProtocolChoice::kLL, ProtocolChoice::kLL128,
                 ProtocolChoice::kSimple}) {
    if (name == to_string(p)) {
      out = p;
      return true;
    }
  }
  return false;
}

const char* to_string(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::kSendRecv: return "sendrecv";
    case CollectiveKind::kAllReduceRing: return "all-reduce";
    case CollectiveKind::kAllReduceTree: return "all-reduce-tree";
    case CollectiveKind::kAllReduceHierarchical: return "all-reduce-hier";
    case CollectiveKind::kReduceScatter: return "reduce-scatter";
    case CollectiveKind::kAllGather: return "all-gather";
    case CollectiveKind::kAllToAll: return "all-to-all";
    case CollectiveKind::kDispatch: return "dispatch";
    case CollectiveKind::kCombine: return "combine";
  }
  return "?";
}

bool parse_collective(const std::string& name, CollectiveKind& out) {
  for (int i = 0; i <= static_cast<int>(CollectiveKind::kCombine); ++i) {
    const auto k = static_cast<CollectiveKind>(i);
    if (name == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

std::size_t add_collective(const Topology& topo, const CollectiveSpec& spec, TaskGraph& graph, CollectiveResult& info) {
  const std::vector<int> ranks = ranks_of(topo, spec);
  const std::size_t before = graph.size();
  Ctx c{topo, graph, Router(topo, spec.policy), info};
  c.wire_latency = spec.protocol == ProtocolChoice::kNone || is_deepep(spec.kind);
  const double s = spec.bytes.value();
  const auto n = static_cast<int>(ranks.size());
  switch (spec.kind) {
    case CollectiveKind::kSendRecv:
      DEEPSIM_ASSERT(n >= 2, "send/recv needs two GPUs");
      (void)c.flow(ranks[0], ranks[1], s);
      break;
    case CollectiveKind::kAllReduceRing: (void)ring(c, ranks, 2 * (n - 1), s / n, {}); break;
    case CollectiveKind::kReduceScatter:
    case CollectiveKind::kAllGather: (void)ring(c, ranks, n - 1, s / n, {}); break;
    case CollectiveKind::kAllReduceTree: tree_all_reduce(c, ranks, s, std::max(1, spec.chunks)); break;
    case CollectiveKind::kAllReduceHierarchical: hierarchical_all_reduce(c, ranks, s); break;
    case CollectiveKind::kAllToAll: all_to_all(c, spec, ranks); break;
    case CollectiveKind::kDispatch: deepep(c, spec, ranks, false); break;
    case CollectiveKind::kCombine: deepep(c, spec, ranks, true); break;
  }
  return graph.size() - before;
}

CollectiveResult run_collective(const Topology& topo, const CollectiveSpec& spec, Time flow_quantum) {
  CollectiveResult r;
  TaskGraph g;
  r.flows = add_collective(topo, spec, g, r);
  RunOptions opt;
  opt.flow_quantum = flow_quantum;
  r.run = run(g, topo.links, opt);
  r.time = r.run.makespan;
  if (spec.protocol != ProtocolChoice::kNone && !is_deepep(spec.kind)) {
    const std::vector<int> ranks = ranks_of(topo, spec);
    const NcclGroup group = nccl_group(topo, ranks);
    r.protocol_applied = true;
    r.algorithm = spec.kind == CollectiveKind::kAllReduceTree ? NcclAlgorithm::kTree : NcclAlgorithm::kRing;
    r.bandwidth_time = r.run.makespan;
    std::optional<Time> best;
    for (NcclProtocol p : {NcclProtocol::kLL, NcclProtocol::kLL128, NcclProtocol::kSimple}) {
      const bool wanted = spec.protocol == ProtocolChoice::kAuto ||
                          to_string(spec.protocol) == std::string(to_string(p));
      if (!wanted || !offered(spec.kind, p)) continue;
      const auto [latency, efficiency] = protocol_floor(spec.kind, p, group, topo.cluster.gpus_per_node);
      const Time t = latency + Time::from_seconds_ceil(r.bandwidth_time.seconds() / efficiency);
      if (!best || t < *best) {
        best = t;
        r.protocol = p;
        r.protocol_latency = latency;
      }
    }
    DEEPSIM_ASSERT(best.has_value(), "NCCL has no LL128 for point-to-point collectives (callers check protocol_offered)");
    r.time = *best;
  }
  if (spec.deepep_kernels && is_deepep(spec.kind)) {
    // DeepEP's kernel floor (deepep_kernels.h): the notify kernel before, the comm SMs' copies beside the flows.
    const DeepEpKernelSpec& k = *spec.deepep_kernels;
    const DeepEpKernel kernel = spec.kind == CollectiveKind::kDispatch ? DeepEpKernel::kDispatch : DeepEpKernel::kCombine;
    r.deepep_notify = deepep_notify_time(kernel, spec.deepep_pass, k);
    if (!r.copy_bytes.empty()) {
      const double busiest = *std::max_element(r.copy_bytes.begin(), r.copy_bytes.end());
      const bool spans = nccl_group(topo, ranks_of(topo, spec)).nodes > 1;
      r.deepep_sm_time = deepep_sm_copy_time(busiest, (spans ? k.ib_latency : Time::zero()) + k.nvlink_latency, k);
    }
    r.time = r.deepep_notify + std::max(r.run.makespan, r.deepep_sm_time);
  }
  const double n = spec.gpus.empty() ? topo.counts.gpus : static_cast<double>(spec.gpus.size());
  const double t = r.time.seconds();
  if (t > 0) {
    r.algbw_gbps = spec.bytes.value() / t / 1e9;
    double factor = (n - 1) / n;
    if (spec.kind == CollectiveKind::kSendRecv) factor = 1;
    if (spec.kind == CollectiveKind::kAllReduceRing || spec.kind == CollectiveKind::kAllReduceTree ||
        spec.kind == CollectiveKind::kAllReduceHierarchical)
      factor = 2 * (n - 1) / n;
    r.busbw_gbps = r.algbw_gbps * factor;
    if (spec.kind == CollectiveKind::kDispatch || spec.kind == CollectiveKind::kCombine) {
      r.deepep_rdma_gbps = r.deepep_rdma_gbps / t / 1e9;
      double ib = 0, nvl = 0;
      for (double b : r.ib_bytes) ib += b;
      for (double b : r.nvlink_bytes) nvl += b;
      r.ib_gbps_per_gpu = ib / n / t / 1e9;
      r.nvlink_gbps_per_gpu = nvl / n / t / 1e9;
    }
  }
  return r;
}

}  // namespace deepsim
