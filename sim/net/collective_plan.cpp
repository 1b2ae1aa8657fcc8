#include "sim/net/collective_plan.h"

#include <algorithm>
#include <map>

#include "sim/core/error.h"
#include "sim/core/rng.h"
#include "sim/net/deepep_kernels.h"
#include "sim/net/nccl_group.h"
#include "sim/net/routing.h"

namespace deepsim {

const char* to_string(CommAlgorithm a) {
  switch (a) {
    case CommAlgorithm::kNone: return "none";
    case CommAlgorithm::kSendRecv: return "send/recv";
    case CommAlgorithm::kRing: return "ring";
    case CommAlgorithm::kHierarchical: return "hierarchical";
    case CommAlgorithm::kStreams: return "streams";
  }
  return "?";
}

std::size_t CollectivePlanner::KeyHash::operator()(const Key& k) const {
  std::uint64_t h = mix64((static_cast<std::uint64_t>(k.kind) << 32) ^ k.routing);
  for (const std::int32_t m : k.members) h = mix64(h ^ static_cast<std::uint32_t>(m));
  return static_cast<std::size_t>(h);
}

std::size_t CollectivePlanner::SpanKeyHash::operator()(const SpanKey& k) const {
  const std::uint64_t h = mix64(reinterpret_cast<std::uintptr_t>(k.data) ^ (static_cast<std::uint64_t>(k.size) << 48));
  return static_cast<std::size_t>(mix64(h ^ (static_cast<std::uint64_t>(k.kind) << 32) ^ k.routing));
}

CollectivePlanner::CollectivePlanner(const Topology& topo, ProtocolFloors floors)
    : topo_(topo), floors_(floors), router_(std::make_unique<Router>(topo, RoutingPolicy::kEcmp)) {}

CollectivePlanner::~CollectivePlanner() = default;

std::uint32_t CollectivePlanner::add_routing(AllToAllLoad unit, Time latency, DeepEpKernels kernels) {
  routings_.push_back({std::move(unit), latency, kernels});
  return static_cast<std::uint32_t>(routings_.size() - 1);
}

std::uint32_t CollectivePlanner::store(std::vector<LinkId> links, Time latency) {
  routes_.push_back(std::move(links));
  latency_.push_back(latency);
  return static_cast<std::uint32_t>(routes_.size() - 1);
}

std::uint32_t CollectivePlanner::pair_route(int a, int b) {
  const std::uint64_t key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
  auto it = pair_routes_.find(key);
  if (it != pair_routes_.end()) return it->second;
  Route r = router_->route(a, b);
  const std::uint32_t id = store(std::move(r.links), r.latency);
  pair_routes_.emplace(key, id);
  return id;
}

// A GPU's NIC halves come from a route to (and from) the GPU of the same local index on the next node;
// its NVLink ports from a route to (and from) the next GPU of its node.
const CollectivePlanner::Halves& CollectivePlanner::halves(int gpu) {
  auto it = halves_.find(gpu);
  if (it != halves_.end()) return it->second;
  Halves h;
  const int g = topo_.cluster.gpus_per_node, nodes = topo_.cluster.nodes;
  const int node = topo_.node_of(gpu), local = topo_.local_of(gpu);
  auto is_nic = [this](LinkId l) { return topo_.links[l].cls == LinkClass::kNicLeaf; };
  if (nodes > 1) {
    const int partner = ((node + 1) % nodes) * g + local;
    const Route out = router_->route(gpu, partner);
    const Route in = router_->route(partner, gpu);
    const auto first = std::find_if(out.links.begin(), out.links.end(), is_nic);
    const auto last = std::find_if(in.links.rbegin(), in.links.rend(), is_nic);
    DEEPSIM_ASSERT(first != out.links.end() && last != in.links.rend(), "an inter-node route without a NIC link");
    const Time half_out = out.latency / 2, half_in = in.latency / 2;
    h.up = store(std::vector<LinkId>(out.links.begin(), first + 1), half_out);
    h.down = store(std::vector<LinkId>(last.base() - 1, in.links.end()), half_in);
  }
  if (g > 1) {
    const int other = node * g + (local + 1) % g;
    const Route out = router_->route(gpu, other);
    const Route in = router_->route(other, gpu);
    h.nvl_out = store({out.links.front()}, out.latency / 2);
    h.nvl_in = store({in.links.back()}, in.latency / 2);
  }
  return halves_.emplace(gpu, h).first->second;
}

void CollectivePlanner::finish_phase(CommPhase& p) {
  std::map<std::uint32_t, int> flows_on;  // link -> flows of one step crossing it
  for (const std::uint32_t r : p.routes)
    for (const LinkId l : routes_[r]) ++flows_on[l.value()];
  double beta = 0;
  bool first = true;
  for (std::size_t i = 0; i < p.routes.size(); ++i) {
    if (p.share[i] <= 0) continue;
    for (const LinkId l : routes_[p.routes[i]]) {
      const double b = topo_.links[l].capacity.bytes_per_s() / flows_on[l.value()];
      if (first || b < beta) beta = b;
      first = false;
    }
    p.alpha = max(p.alpha, latency_[p.routes[i]]);
  }
  p.beta = Bandwidth::bytes_per_s(beta);
}

void CollectivePlanner::ring_phase(CommShape& s, const std::vector<std::vector<std::int32_t>>& rings, int steps,
                                   double share) {
  CommPhase p;
  p.steps = steps;
  for (const auto& ring : rings) {
    const auto n = ring.size();
    if (n < 2) continue;
    for (std::size_t i = 0; i < n; ++i) {
      p.routes.push_back(pair_route(ring[i], ring[(i + 1) % n]));
      p.share.push_back(share);
    }
  }
  if (p.routes.empty() || steps <= 0) return;
  finish_phase(p);
  s.phases.push_back(std::move(p));
}

void CollectivePlanner::streams(CommShape& s, const CommOp& op, std::span<const std::int32_t> members) {
  AllToAllLoad load;
  Time alpha;
  if (op.routing != kNoRouting) {
    DEEPSIM_ASSERT(op.routing < routings_.size(), "unknown routing handle");
    const Routing& r = routings_[op.routing];
    load = r.unit;
    alpha = r.latency;
    if (op.kind != CommKind::kAllToAll) s.deepep = r.kernels;
    DEEPSIM_ASSERT(load.nic_out.size() == members.size(), "a routing for every member of the group");
    for (std::size_t i = 0; i < members.size(); ++i)
      s.busiest_copies = std::max(s.busiest_copies, load.nic_out[i] + load.nic_in[i] + load.nvlink_out[i] + load.nvlink_in[i]);
  } else {
    load = uniform_all_to_all_load(topo_, members);
  }
  if (op.kind == CommKind::kCombine) {  // the reverse of dispatch
    std::swap(load.nic_out, load.nic_in);
    std::swap(load.nvlink_out, load.nvlink_in);
  }
  CommPhase p;
  auto add = [&](std::uint32_t route, double share) {
    if (share <= 0) return;
    DEEPSIM_ASSERT(route != kNone, "an all-to-all stream over a link the fabric does not have");
    p.routes.push_back(route);
    p.share.push_back(share);
    if (op.routing == kNoRouting) alpha = max(alpha, latency_[route] * 2);
  };
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Halves& h = halves(members[i]);
    add(h.up, load.nic_out[i]);
    add(h.down, load.nic_in[i]);
    add(h.nvl_out, load.nvlink_out[i]);
    add(h.nvl_in, load.nvlink_in[i]);
  }
  p.alpha = alpha;
  std::map<std::uint32_t, double> on_link;  // bytes per byte of S
  for (std::size_t i = 0; i < p.routes.size(); ++i)
    for (const LinkId l : routes_[p.routes[i]]) on_link[l.value()] += p.share[i];
  double worst = 0;
  for (const auto& [l, b] : on_link) worst = std::max(worst, b / topo_.links[LinkId(l)].capacity.bytes_per_s());
  s.seconds_per_byte = worst;
  s.alpha = alpha;
  if (!p.routes.empty()) s.phases.push_back(std::move(p));
}

CommShape CollectivePlanner::build(const CommOp& op, std::span<const std::int32_t> members) {
  CommShape s;
  const auto n = static_cast<int>(members.size());
  s.ranks = n;
  std::vector<std::int32_t> all(members.begin(), members.end());
  switch (op.kind) {
    case CommKind::kSendRecv: {
      DEEPSIM_ASSERT(n == 2, "a send/recv group is {source, destination}");
      s.algorithm = CommAlgorithm::kSendRecv;
      if (members[0] == members[1]) break;
      CommPhase p;
      p.routes.push_back(pair_route(members[0], members[1]));
      p.share.push_back(1.0);
      finish_phase(p);
      s.beta = p.beta;
      s.alpha = p.alpha;
      s.phases.push_back(std::move(p));
      break;
    }
    case CommKind::kAllReduce:
    case CommKind::kReduceScatter:
    case CommKind::kAllGather: {
      if (n < 2) break;
      std::map<int, std::vector<std::int32_t>> by_node;  // node -> members in group order
      for (const std::int32_t m : members) by_node[topo_.node_of(m)].push_back(m);
      const auto per = by_node.begin()->second.size();
      const bool even = std::all_of(by_node.begin(), by_node.end(), [per](const auto& kv) { return kv.second.size() == per; });
      const auto nodes = static_cast<int>(by_node.size());
      if (nodes >= 2 && per >= 2 && even) {
        s.algorithm = CommAlgorithm::kHierarchical;
        std::vector<std::vector<std::int32_t>> intra, inter(per);
        for (const auto& [node, gpus] : by_node) {
          intra.push_back(gpus);
          for (std::size_t k = 0; k < per; ++k) inter[k].push_back(gpus[k]);
        }
        const auto g = static_cast<int>(per);
        const double intra_share = 1.0 / g, inter_share = 1.0 / g / nodes;
        if (op.kind != CommKind::kAllGather) ring_phase(s, intra, g - 1, intra_share);
        ring_phase(s, inter, (op.kind == CommKind::kAllReduce ? 2 : 1) * (nodes - 1), inter_share);
        if (op.kind == CommKind::kAllGather) ring_phase(s, intra, g - 1, intra_share);
        if (op.kind == CommKind::kAllReduce) ring_phase(s, intra, g - 1, intra_share);
        const CommPhase& in_node = op.kind == CommKind::kAllGather ? s.phases.back() : s.phases.front();
        const CommPhase& across = op.kind == CommKind::kAllGather ? s.phases.front() : s.phases[1];
        s.hierarchical = {nodes, g, in_node.beta, in_node.alpha, across.beta, across.alpha};
      } else {
        s.algorithm = CommAlgorithm::kRing;
        ring_phase(s, {all}, (op.kind == CommKind::kAllReduce ? 2 : 1) * (n - 1), 1.0 / n);
        s.beta = s.phases.front().beta;
        s.alpha = s.phases.front().alpha;
      }
      break;
    }
    case CommKind::kRingShift: {
      // One step of a ring: every member's flow to the next, concurrently, S each; priced as one send
      // at the step's beta (the slowest hop, with the flows that share its links) after its alpha.
      if (n < 2) break;
      s.algorithm = CommAlgorithm::kSendRecv;
      ring_phase(s, {all}, 1, 1.0);
      if (s.phases.empty()) break;
      s.beta = s.phases.front().beta;
      s.alpha = s.phases.front().alpha;
      break;
    }
    case CommKind::kAllToAll:
    case CommKind::kDispatch:
    case CommKind::kCombine:
      DEEPSIM_ASSERT(op.kind == CommKind::kAllToAll || op.routing != kNoRouting, "dispatch and combine need a routing");
      s.algorithm = CommAlgorithm::kStreams;
      streams(s, op, members);
      break;
  }
  for (const CommPhase& p : s.phases) s.rounds += p.steps;
  if (floors_ == ProtocolFloors::kNccl && !s.phases.empty()) add_protocols(s, op, members);
  std::map<std::uint32_t, double> share;
  for (const CommPhase& p : s.phases)
    for (std::size_t i = 0; i < p.routes.size(); ++i)
      for (const LinkId l : routes_[p.routes[i]]) share[l.value()] += p.steps * p.share[i];
  for (const auto& [l, b] : share) s.link_share.emplace_back(LinkId(l), b);
  return s;
}

void CollectivePlanner::add_protocols(CommShape& s, const CommOp& op, std::span<const std::int32_t> members) const {
  NcclOp nccl = NcclOp::kSendRecv;
  switch (op.kind) {
    case CommKind::kSendRecv:
    case CommKind::kRingShift: nccl = NcclOp::kSendRecv; break;
    case CommKind::kAllReduce: nccl = NcclOp::kAllReduce; break;
    case CommKind::kReduceScatter: nccl = NcclOp::kReduceScatter; break;
    case CommKind::kAllGather: nccl = NcclOp::kAllGather; break;
    case CommKind::kAllToAll: nccl = NcclOp::kAllToAll; break;
    case CommKind::kDispatch:
    case CommKind::kCombine: return;  // DeepEP's kernels, not NCCL's
  }
  const NcclGroup g = nccl_group(topo_, members);
  for (const NcclProtocol p : {NcclProtocol::kLL, NcclProtocol::kLL128, NcclProtocol::kSimple}) {
    if (!protocol_available(nccl, NcclAlgorithm::kRing, p)) continue;
    s.protocols.push_back(s.algorithm == CommAlgorithm::kHierarchical
                              ? hierarchical_protocol_floor(nccl, p, g, s.hierarchical.per_node)
                              : protocol_floor(nccl, NcclAlgorithm::kRing, p, g));
  }
}

DeepEpFloor CollectivePlanner::deepep_floor(const CommOp& op, const CommShape& s) const {
  DeepEpFloor f;
  if (s.deepep != DeepEpKernels::kNormal || s.phases.empty()) return f;
  const DeepEpKernelSpec k = deepep_kernel_spec(topo_.cluster, op.sms);
  const DeepEpKernel kernel = op.kind == CommKind::kDispatch ? DeepEpKernel::kDispatch : DeepEpKernel::kCombine;
  f.notify = deepep_notify_time(kernel, op.pass == CommPass::kForward ? DeepEpPass::kForward : DeepEpPass::kBackward, k);
  f.sm_copies = deepep_sm_copy_time(s.busiest_copies * op.bytes.value(), s.alpha, k);
  return f;
}

const CommShape& CollectivePlanner::shape(const CommOp& op, std::span<const std::int32_t> members) {
  const std::uint32_t routing = op.kind == CommKind::kSendRecv ? kNoRouting : op.routing;
  const SpanKey at{members.data(), members.size(), op.kind, routing};
  const auto hit = by_span_.find(at);
  if (hit != by_span_.end() && std::equal(members.begin(), members.end(), hit->second->first.members.begin(),
                                          hit->second->first.members.end()))
    return hit->second->second;
  Key key{op.kind, routing, std::vector<std::int32_t>(members.begin(), members.end())};
  auto it = shapes_.find(key);
  if (it == shapes_.end()) {
    CommShape s = build(op, members);
    it = shapes_.emplace(std::move(key), std::move(s)).first;
  }
  by_span_.insert_or_assign(at, &*it);  // unordered_map nodes do not move: the pointer stays valid
  return it->second;
}

AllToAllLoad uniform_all_to_all_load(const Topology& topo, std::span<const std::int32_t> members) {
  const auto n = members.size();
  AllToAllLoad l;
  l.nic_out.assign(n, 0);
  l.nic_in.assign(n, 0);
  l.nvlink_out.assign(n, 0);
  l.nvlink_in.assign(n, 0);
  std::unordered_map<int, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) index[members[i]] = i;
  const double b = 1.0 / static_cast<double>(n);
  const int g = topo.cluster.gpus_per_node;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const int a = members[i], d = members[j];
      if (topo.node_of(a) == topo.node_of(d)) {
        l.nvlink_out[i] += b;
        l.nvlink_in[j] += b;
        l.nvlink_bytes += b;
        continue;
      }
      // IB to the member of a's local index in d's node, then NVLink to d.
      const int relay = topo.node_of(d) * g + topo.local_of(a);
      l.nic_out[i] += b;
      l.ib_bytes += b;
      const auto r = index.find(relay);
      if (r == index.end()) {  // no member on a's plane there: straight to d's NIC
        l.nic_in[j] += b;
        continue;
      }
      l.nic_in[r->second] += b;
      if (relay != d) {
        l.nvlink_out[r->second] += b;
        l.nvlink_in[j] += b;
        l.nvlink_bytes += b;
      }
    }
  }
  return l;
}

}  // namespace deepsim
