// CollectivePlanner: how a collective over a group of GPUs moves its bytes on a Topology. Both comm
// models share it (analytic_comm_model.h evaluates the closed form it names; flow_comm_model.h runs its
// phases as rounds of flows), so the two can only differ in how links are shared, never in what moves.
// Algorithms, picked from the op and the group's shape as NCCL does on multi-node fabrics:
//  - send/recv: one flow on the routed path (ECMP); a ring shift: one flow from every member to the
//    next in group order, all in one step (the CP ring's exchange);
//  - ring (all-reduce, reduce-scatter, all-gather) over the members in group order when the group sits in
//    one node or has one GPU per node or an uneven spread: 2(n-1) or n-1 steps of S/n per flow;
//  - hierarchical when the group spans N >= 2 nodes with g >= 2 members on each: a ring inside every
//    node over NVLink (reduce-scatter S/g per step, g-1 steps), then one ring per local rank across the
//    nodes, all at once, each over its own GPU's NIC (its plane on a multi-plane fabric), then the
//    intra-node all-gather; reduce-scatter does the first two parts, all-gather the last two reversed;
//  - all-to-all, DeepEP dispatch and combine: per-GPU streams, i.e. one flow per (node, plane) and
//    direction: a GPU's NIC send and receive halves (GPU -> NIC -> leaf, leaf -> NIC -> GPU) and its NVLink
//    send and receive ports, carrying that GPU's bytes of the routing (all_to_all_bound.h: one IB copy per
//    destination node to the same local index, NVLink forwarding there). The switch fabric between the
//    halves is taken as non-blocking (true for an EP group under one MPFT leaf per plane).
// Per step: beta = min over the step's flows of min over their links of capacity / (flows of the step on
// the link); alpha = the largest path latency among them.
// NCCL's protocol floor (protocol_model.h; docs/network.md "Small messages"): the NCCL collectives
// (send/recv, ring and hierarchical all-reduce / reduce-scatter / all-gather, the uniform all-to-all)
// carry the floors of the protocols NCCL offers for them on the group (LL, LL128, Simple; point-to-point:
// LL and Simple). pick_protocol() takes the fastest at the op's size, as NCCL's tuner does; its latency
// replaces the paths' alphas and its efficiency scales the bandwidth part. DeepEP's dispatch and combine
// are not NCCL kernels and carry none. A planner built with ProtocolFloors::kNone carries none at all
// (the bare alpha-beta model, for tests of the closed forms).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "sim/engine/comm_op.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/net/comm_closed_forms.h"
#include "sim/net/protocol_model.h"
#include "sim/net/topology.h"

namespace deepsim {

class Router;  // routing.h (not included here: sim/parallel/schedule.h has its own Route)

enum class CommAlgorithm : std::uint8_t { kNone, kSendRecv, kRing, kHierarchical, kStreams };
[[nodiscard]] const char* to_string(CommAlgorithm a);

// Whose kernels move a routing's dispatch and combine (deepep_kernels.h): kNone, the links alone;
// kNormal, DeepEP's normal kernels (the notify kernel before, the comm SMs' copies beside the links);
// kLowLatency, its pure-RDMA kernels (the routing's load is then per selection, no notify, no SMs).
enum class DeepEpKernels : std::uint8_t { kNone, kNormal, kLowLatency };

// A phase: `steps` identical steps of concurrent flows, one per route.
struct CommPhase {
  int steps = 1;
  std::vector<std::uint32_t> routes;  // into CollectivePlanner::route()
  std::vector<double> share;          // per flow: bytes per step / S
  Bandwidth beta;                     // per-flow bandwidth of a step (ring phases)
  Time alpha;                         // latency charged before each step
};

struct CommShape {
  CommAlgorithm algorithm = CommAlgorithm::kNone;
  int ranks = 0;
  Bandwidth beta;  // send/recv and ring
  Time alpha;
  HierarchicalLinks hierarchical;
  double seconds_per_byte = 0;  // streams: max over links of (bytes per byte of S) / capacity
  std::vector<CommPhase> phases;
  // Bytes each link carries per byte of S over the whole op (for link use).
  std::vector<std::pair<LinkId, double>> link_share;
  // Dispatch / combine: whose kernels, and the busiest member's bytes through its four ports (NIC out
  // and in, NVLink out and in) per byte of S: what its SMs copy.
  DeepEpKernels deepep = DeepEpKernels::kNone;
  double busiest_copies = 0;
  // NCCL's protocols for the op on this group (empty: none applies), in the order LL, LL128, Simple.
  std::vector<ProtocolFloor> protocols;
  int rounds = 0;  // steps over all phases (the flow model's rounds)
};

enum class ProtocolFloors : std::uint8_t { kNccl, kNone };

// DeepEP's floor of one dispatch or combine (kNormal): the notify kernel's time, before the transfer,
// and the comm SMs' copies (routing latency + the busiest member's copies / (op.sms x r_sm)), beside it.
struct DeepEpFloor {
  Time notify;
  Time sm_copies;
};

class CollectivePlanner {
 public:
  explicit CollectivePlanner(const Topology& topo, ProtocolFloors floors = ProtocolFloors::kNccl);
  ~CollectivePlanner();
  CollectivePlanner(const CollectivePlanner&) = delete;
  CollectivePlanner& operator=(const CollectivePlanner&) = delete;

  // Registers per-token destinations' link loads for dispatch / combine: `unit` in bytes per byte of
  // the op's S (one token copy), indexed by member, as all_to_all_load() computes them; `latency` the
  // op's fixed cost; `kernels` whose kernels move it. Returns the handle to put in CommOp::routing.
  [[nodiscard]] std::uint32_t add_routing(AllToAllLoad unit, Time latency, DeepEpKernels kernels = DeepEpKernels::kNone);

  // DeepEP's floor of `op` (a dispatch or combine planned as `s`; zero unless s.deepep is kNormal).
  [[nodiscard]] DeepEpFloor deepep_floor(const CommOp& op, const CommShape& s) const;

  // The shape of `op` over `members` (cached; the reference stays valid while the planner lives).
  [[nodiscard]] const CommShape& shape(const CommOp& op, std::span<const std::int32_t> members);

  [[nodiscard]] std::span<const LinkId> route(std::uint32_t r) const { return routes_[r]; }
  [[nodiscard]] Time route_latency(std::uint32_t r) const { return latency_[r]; }
  [[nodiscard]] const Topology& topology() const { return topo_; }

 private:
  struct Key {
    CommKind kind;
    std::uint32_t routing;
    std::vector<std::int32_t> members;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  // Where the caller's member list lives: the engine hands the same TaskGraph group span to every op of
  // a group, so a hit here (checked against the cached members, so reused storage cannot alias) skips
  // copying and hashing the list on each comm task (7 % of a default run, docs/performance.md).
  struct SpanKey {
    const std::int32_t* data;
    std::size_t size;
    CommKind kind;
    std::uint32_t routing;
    bool operator==(const SpanKey&) const = default;
  };
  struct SpanKeyHash {
    std::size_t operator()(const SpanKey& k) const;
  };
  struct Halves {
    std::uint32_t up = kNone, down = kNone, nvl_out = kNone, nvl_in = kNone;
  };
  static constexpr std::uint32_t kNone = 0xffffffffu;

  CommShape build(const CommOp& op, std::span<const std::int32_t> members);
  // A phase of `steps` steps in which every ring of `rings` (concurrently) moves `share` x S per flow.
  void ring_phase(CommShape& s, const std::vector<std::vector<std::int32_t>>& rings, int steps, double share);
  void finish_phase(CommPhase& p);
  void streams(CommShape& s, const CommOp& op, std::span<const std::int32_t> members);
  std::uint32_t pair_route(int a, int b);
  std::uint32_t store(std::vector<LinkId> links, Time latency);
  const Halves& halves(int gpu);

  void add_protocols(CommShape& s, const CommOp& op, std::span<const std::int32_t> members) const;

  const Topology& topo_;
  ProtocolFloors floors_;
  std::unique_ptr<Router> router_;  // ECMP
  std::vector<std::vector<LinkId>> routes_;
  std::vector<Time> latency_;
  std::unordered_map<std::uint64_t, std::uint32_t> pair_routes_;
  std::unordered_map<int, Halves> halves_;
  struct Routing {
    AllToAllLoad unit;
    Time latency;
    DeepEpKernels kernels = DeepEpKernels::kNone;
  };
  std::vector<Routing> routings_;
  std::unordered_map<Key, CommShape, KeyHash> shapes_;
  std::unordered_map<SpanKey, const std::pair<const Key, CommShape>*, SpanKeyHash> by_span_;
};

// Per-member link loads of a uniform all-to-all of S = 1 byte per rank over `members` (each sends S/n
// to every other), forwarded as DeepEP does (IB to the same local index of the destination node, NVLink
// there).
[[nodiscard]] AllToAllLoad uniform_all_to_all_load(const Topology& topo, std::span<const std::int32_t> members);

}  // namespace deepsim
