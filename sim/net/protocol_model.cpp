#include "sim/net/protocol_model.h"

#include <algorithm>
#include <array>
#include <optional>

#include "sim/core/error.h"

namespace deepsim {
namespace {

// Constants of NCCL's tuning model (NVIDIA/nccl src/graph/tuning.cc, 2.19-2.21, the Hopper rows), in
// microseconds and GB/s. Indexed [algorithm][protocol] with protocols in the order LL, LL128, Simple.
using PerProtocol = std::array<double, 3>;
// `baseLat`: fixed cost of a launch.
constexpr std::array<PerProtocol, 2> kBaseUs = {{{6.8, 14.0, 0.0}, {6.6, 14.0, 8.4}}};  // tree, ring
// `hwLat[NVLINK]` and `hwLat[NET]`: per hop a chunk crosses. Tree/Simple's 28 us is the time of one
// 256 kB chunk (NCCL's comment), which is why trees only win at small and medium sizes with LL/LL128.
constexpr std::array<PerProtocol, 2> kHopNvlinkUs = {{{0.6, 1.25, 28.0}, {0.6, 1.9, 3.4}}};
constexpr std::array<PerProtocol, 2> kHopNetUs = {{{5.0, 8.5, 28.0}, {2.7, 4.0, 14.0}}};
// `getNetOverhead` (x86 Intel: 1 us; Simple x3): on several nodes every ring hop, NVLink ones included,
// costs at least the proxy's post of a network operation.
constexpr double kNetOverheadUs = 1.0;
// `llMaxBws`: LL's bus bandwidth ceiling; one node: Hopper; two / more nodes: Intel hosts.
constexpr double kLlMaxOneNodeGbps = 87.7, kLlMaxTwoNodesGbps = 39.0, kLlMaxManyNodesGbps = 20.4;
// "Various model refinements" of tuning.cc: the fraction of the link bus bandwidth each protocol gets.
constexpr double kLlRingShareMultiNodeOrReduce = 1.0 / 4.0;  // LL: 8-byte stores with 4 bytes of data,
constexpr double kLlRingShareOther = 1.0 / 3.0;               // and the flag wait on every line
constexpr double kLl128Ring = 0.92;                           // 120 of 128 bytes are data
constexpr double kLl128RingOneRankPerNode = 0.7;              // send and receive through the same NIC
constexpr double kTree = 0.92;
constexpr double kLlTree = 1.0 / 3.8;
constexpr double kLl128TreeOneNode = 7.0 / 9.0, kLl128TreeMultiNode = 120.0 / 128.0;

std::size_t idx(NcclAlgorithm a) { return a == NcclAlgorithm::kTree ? 0 : 1; }
std::size_t idx(NcclProtocol p) { return static_cast<std::size_t>(p); }

bool point_to_point(NcclOp op) { return op == NcclOp::kSendRecv || op == NcclOp::kAllToAll; }

int log2_floor(int v) {
  int r = 0;
  while (v > 1) {
    v >>= 1;
    ++r;
  }
  return r;
}

// Hops a chunk crosses, NVLink and network (NCCL's nsteps / nInterSteps for rings; 2 x (ranks per node
// - 1) and 2 log2(nodes) for the tree's up and down passes).
std::pair<int, int> hops(NcclOp op, NcclAlgorithm a, const NcclGroup& g) {
  const int n = g.ranks, nodes = std::max(1, g.nodes);
  if (point_to_point(op)) return nodes > 1 ? std::pair{0, 1} : std::pair{1, 0};
  if (a == NcclAlgorithm::kTree) return {2 * (n / nodes - 1), 2 * log2_floor(nodes)};
  const int steps = op == NcclOp::kAllReduce ? 2 * (n - 1) : n - 1;
  int inter = 0;
  if (nodes > 1) inter = op == NcclOp::kAllReduce ? 2 * nodes : nodes - 1;
  inter = std::min(inter, steps);
  return {steps - inter, inter};
}

double ll_max_gbps(int nodes) {
  return nodes <= 1 ? kLlMaxOneNodeGbps : nodes == 2 ? kLlMaxTwoNodesGbps : kLlMaxManyNodesGbps;
}

// algbw / busbw: bytes of the user's buffer per byte a rank's link carries.
double ratio(NcclOp op, NcclAlgorithm a, int n) {
  switch (op) {
    case NcclOp::kAllReduce: return a == NcclAlgorithm::kTree ? 0.5 : n / (2.0 * (n - 1));
    case NcclOp::kReduceScatter:
    case NcclOp::kAllGather:
    case NcclOp::kAllToAll: return n / (n - 1.0);
    case NcclOp::kSendRecv: return 1.0;
  }
  return 1.0;
}

}  // namespace

const char* to_string(NcclAlgorithm a) { return a == NcclAlgorithm::kTree ? "tree" : "ring"; }

const char* to_string(NcclProtocol p) {
  switch (p) {
    case NcclProtocol::kLL: return "LL";
    case NcclProtocol::kLL128: return "LL128";
    case NcclProtocol::kSimple: return "Simple";
  }
  return "?";
}

Bandwidth NcclGroup::link_bus() const { return nodes > 1 ? std::min(nvlink, network) : nvlink; }

bool protocol_available(NcclOp op, NcclAlgorithm a, NcclProtocol p) {
  if (a == NcclAlgorithm::kTree && op != NcclOp::kAllReduce) return false;
  if (point_to_point(op) && (a != NcclAlgorithm::kRing || p == NcclProtocol::kLL128)) return false;
  return true;
}

Time protocol_latency(NcclAlgorithm a, NcclProtocol p, int intra_hops, int inter_hops) {
  const std::size_t ai = idx(a), pi = idx(p);
  double intra = kHopNvlinkUs[ai][pi];
  if (inter_hops > 0 && a == NcclAlgorithm::kRing)
    intra = std::max(intra, kNetOverheadUs * (p == NcclProtocol::kSimple ? 3.0 : 1.0));
  const double us = kBaseUs[ai][pi] + intra_hops * intra + inter_hops * kHopNetUs[ai][pi];
  return Time::from_seconds(us * 1e-6);
}

double protocol_efficiency(NcclOp op, NcclAlgorithm a, NcclProtocol p, const NcclGroup& g) {
  const double link = g.link_bus().gb_per_s();
  if (!(link > 0)) return 1.0;
  const bool multi = g.nodes > 1;
  double bus = link;
  if (a == NcclAlgorithm::kRing) {
    if (p == NcclProtocol::kLL)
      bus = std::min(ll_max_gbps(g.nodes),
                     link * (multi || op == NcclOp::kAllReduce ? kLlRingShareMultiNodeOrReduce : kLlRingShareOther));
    if (p == NcclProtocol::kLL128) {
      const double per_node = static_cast<double>(g.ranks) / std::max(1, g.nodes);
      bus = link * (per_node < 2 ? kLl128RingOneRankPerNode : kLl128Ring);
    }
  } else {
    bus = link * kTree;
    if (p == NcclProtocol::kLL) bus = std::min(bus * kLlTree, ll_max_gbps(g.nodes));
    if (p == NcclProtocol::kLL128) bus *= multi ? kLl128TreeMultiNode : kLl128TreeOneNode;
  }
  return bus / link;
}

ProtocolFloor protocol_floor(NcclOp op, NcclAlgorithm a, NcclProtocol p, const NcclGroup& g) {
  const ProtocolCost c = protocol_cost(op, a, p, Bytes(0), g);
  return {p, c.latency, c.efficiency};
}

ProtocolFloor hierarchical_protocol_floor(NcclOp op, NcclProtocol p, const NcclGroup& g, int per_node) {
  DEEPSIM_ASSERT(op == NcclOp::kAllReduce || op == NcclOp::kReduceScatter || op == NcclOp::kAllGather,
                 "hierarchical collectives are all-reduce, reduce-scatter and all-gather");
  const int parts = op == NcclOp::kAllReduce ? 2 : 1;
  const int local = std::max(1, per_node), nodes = std::max(1, g.nodes);
  const NcclAlgorithm a = NcclAlgorithm::kRing;
  return {p, protocol_latency(a, p, parts * (local - 1), parts * (nodes - 1)), protocol_efficiency(op, a, p, g)};
}

ProtocolCost protocol_cost(NcclOp op, NcclAlgorithm a, NcclProtocol p, Bytes bytes, const NcclGroup& g) {
  DEEPSIM_ASSERT(protocol_available(op, a, p), "NCCL has no such algorithm and protocol for this collective");
  ProtocolCost c;
  c.algorithm = a;
  c.protocol = p;
  if (g.ranks < 2) return c;
  const auto [intra, inter] = hops(op, a, g);
  c.latency = protocol_latency(a, p, intra, inter);
  c.efficiency = protocol_efficiency(op, a, p, g);
  c.busbw = g.link_bus() * c.efficiency;
  c.algbw = c.busbw * ratio(op, a, g.ranks);
  const double bw = c.algbw.bytes_per_s();
  c.time = c.latency + (bw > 0 ? Time::from_seconds_ceil(bytes.value() / bw) : Time::zero());
  return c;
}

ProtocolCost fastest_protocol(NcclOp op, NcclAlgorithm a, Bytes bytes, const NcclGroup& g) {
  std::optional<ProtocolCost> best;
  for (NcclProtocol p : {NcclProtocol::kLL, NcclProtocol::kLL128, NcclProtocol::kSimple}) {
    if (!protocol_available(op, a, p)) continue;
    const ProtocolCost c = protocol_cost(op, a, p, bytes, g);
    if (!best || c.time < best->time) best = c;
  }
  DEEPSIM_ASSERT(best.has_value(), "no protocol for this algorithm and collective");
  return *best;
}

ProtocolCost fastest_collective(NcclOp op, Bytes bytes, const NcclGroup& g) {
  ProtocolCost best = fastest_protocol(op, NcclAlgorithm::kRing, bytes, g);
  if (protocol_available(op, NcclAlgorithm::kTree, NcclProtocol::kSimple)) {
    const ProtocolCost tree = fastest_protocol(op, NcclAlgorithm::kTree, bytes, g);
    if (tree.time < best.time) best = tree;
  }
  return best;
}

}  // namespace deepsim
