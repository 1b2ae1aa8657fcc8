// Collectives as flow sets: each collective appends flow tasks (with their dependencies) to a TaskGraph
// on a Topology, and run_collective() executes them with the engine and reports time and bandwidths the
// way nccl-tests does:
//   algbw = S / t;  busbw = algbw x 2(n-1)/n (all-reduce), x (n-1)/n (reduce-scatter, all-gather,
//   all-to-all), x 1 (send/recv), with S the per-rank buffer size (all-gather / reduce-scatter: the
//   whole gathered buffer).
// Algorithms:
//  - ring all-reduce: 2(n-1) steps, each rank sends S/n to the next per step (reduce-scatter then
//    all-gather); reduce-scatter and all-gather alone: n-1 steps;
//  - tree all-reduce: NCCL's double binary tree (half the data on each of two complementary binary
//    trees), each reducing up then broadcasting down, pipelined in `chunks` pieces;
//  - hierarchical all-reduce (NCCL on multi-node): ring reduce-scatter inside each node over NVLink,
//    ring all-reduce of the 1/g shards across nodes among GPUs of the same local index (one ring per
//    plane, concurrently), ring all-gather inside the node;
//  - all-to-all(v): one flow per (source, destination) pair of a byte matrix, all at once; on an MPFT
//    cross-plane pairs are forwarded over NVLink (routing.h) — aggregated per (source node, plane,
//    destination node) for the InfiniBand part when `aggregate` is set, which keeps a 2048-GPU
//    all-to-all to 0.5 M flows;
//  - DeepEP dispatch / combine (normal kernels, reference R24): per token one IB transfer per destination
//    node to the GPU of the same local index there, then NVLink to each GPU of that node hosting one of
//    its experts; flows aggregated per (source GPU, destination node) and per (relay, destination GPU).
//    NVLink forwarding runs concurrently with the IB transfer (DeepEP pipelines them).
// With a protocol (CollectiveSpec::protocol, protocol_model.h) the NCCL collectives get NCCL's latency
// and protocol floor: the flows run without their per-link latencies (bandwidth and contention only,
// time t_bw), and for each protocol p
//     t_p = latency_p + t_bw / efficiency_p
// where latency_p is NCCL's launch + per-hop latency (which already contains the wire's) and
// efficiency_p the protocol's share of the link; `kAuto` keeps the fastest, as NCCL's tuner does.
// Dispatch and combine are DeepEP's kernels, not NCCL's: the protocol does not apply to them; with
// CollectiveSpec::deepep_kernels they get the kernel floor of deepep_kernels.h instead:
//     t = notify + max(t_flow, latency + busiest GPU's SM copies / (comm_sms x r_sm)).
#pragma once

#include <string>
#include <vector>

#include "sim/net/flow_run.h"
#include "sim/engine/task_graph.h"
#include <optional>

#include "sim/net/all_to_all_bound.h"
#include "sim/net/deepep_kernels.h"
#include "sim/net/nccl_group.h"
#include "sim/net/protocol_model.h"
#include "sim/net/topology.h"
#include "sim/net/routing.h"

namespace deepsim {

enum class CollectiveKind {
  kSendRecv,
  kAllReduceRing,
  kAllReduceTree,
  kAllReduceHierarchical,
  kReduceScatter,
  kAllGather,
  kAllToAll,
  kDispatch,
  kCombine,
};
[[nodiscard]] const char* to_string(CollectiveKind k);
[[nodiscard]] bool parse_collective(const std::string& name, CollectiveKind& out);

// kNone: the bare flow model (per-link latencies, no protocol); kAuto: NCCL's fastest protocol.
enum class ProtocolChoice { kNone, kAuto, kLL, kLL128, kSimple };
[[nodiscard]] const char* to_string(ProtocolChoice p);
[[nodiscard]] bool parse_protocol(const std::string& name, ProtocolChoice& out);
// Whether NCCL offers the protocol for the collective (point-to-point ones have no LL128).
[[nodiscard]] bool protocol_offered(CollectiveKind kind, ProtocolChoice p);

struct CollectiveSpec {
  CollectiveKind kind = CollectiveKind::kAllReduceRing;
  std::vector<int> gpus;         // participating GPUs, in ring order; empty: every GPU of the fabric
  Bytes bytes;                   // S: per-rank buffer (see header comment)
  RoutingPolicy policy = RoutingPolicy::kEcmp;
  int chunks = 8;                // tree pipelining
  bool aggregate = true;         // all-to-all on MPFT: aggregate the IB part per (node, plane, node)
  // All-to-all(v): bytes[src][dst] over `gpus` indices; empty means uniform S / n per pair.
  std::vector<std::vector<double>> matrix;
  // Dispatch / combine: per-token destinations over `gpus` indices, and bytes per token copy.
  const TokenRouting* routing = nullptr;
  double bytes_per_token = 0;
  ProtocolChoice protocol = ProtocolChoice::kNone;
  // Dispatch / combine: DeepEP's kernel floor (notify kernel, comm SMs' copies); none: flows only.
  std::optional<DeepEpKernelSpec> deepep_kernels;
  DeepEpPass deepep_pass = DeepEpPass::kForward;
};

struct CollectiveResult {
  Time time;
  double algbw_gbps = 0;
  double busbw_gbps = 0;
  std::size_t flows = 0;
  double bytes_sent = 0;          // over all flows (each counted once)
  // Dispatch / combine: per participating GPU, bytes over InfiniBand and NVLink (sent), and DeepEP's
  // "RDMA bandwidth": unique (token, destination node) pairs x bytes per token (own node included) / t.
  std::vector<double> ib_bytes, nvlink_bytes;
  double deepep_rdma_gbps = 0;
  double ib_gbps_per_gpu = 0;     // mean InfiniBand send bandwidth per GPU
  double nvlink_gbps_per_gpu = 0; // mean NVLink send bandwidth per GPU
  RunResult run;
  // With a protocol: the one used (kAuto: the fastest), its latency, and the flow time it scaled.
  bool protocol_applied = false;
  NcclAlgorithm algorithm = NcclAlgorithm::kRing;
  NcclProtocol protocol = NcclProtocol::kSimple;
  Time protocol_latency;
  Time bandwidth_time;
  // Dispatch / combine with deepep_kernels: per GPU the bytes its SMs copy (each byte once per port it
  // crosses, sent and received), the notify kernel and the SMs' time.
  std::vector<double> copy_bytes;
  Time deepep_notify;
  Time deepep_sm_time;
};

// Appends the collective's flows to `graph`; returns the number of flows added.
std::size_t add_collective(const Topology& topo, const CollectiveSpec& spec, TaskGraph& graph, CollectiveResult& info);
[[nodiscard]] CollectiveResult run_collective(const Topology& topo, const CollectiveSpec& spec,
                                              Time flow_quantum = Time::zero());

}  // namespace deepsim
