// ProtocolModel: the latency and protocol floor of an NCCL collective, the closed form NCCL itself uses
// to pick an algorithm and protocol (its tuning model, src/graph/tuning.cc), with the constants it ships
// for Hopper. What it adds to a bandwidth-only model:
//  - a fixed launch latency per (algorithm, protocol) and a latency per hop a chunk crosses, NVLink or
//    network, so a small collective costs tens of microseconds, not bytes / bandwidth;
//  - the three protocols: LL (8-byte stores carrying 4 bytes of data and a flag: lowest latency, at most
//    a quarter to a third of the link), LL128 (128-byte lines with 8 bytes of flags: 92 % of the link,
//    higher latency) and Simple (the whole link, highest latency: chunked copies with fences);
//  - the choice NCCL makes: the fastest protocol (and, for all-reduce, ring or tree) at each size.
// The time of one (algorithm, protocol) pair, in NCCL's form:
//     t = latency + bytes / algbw,   algbw = link bus bandwidth x efficiency x ratio,
//     latency = base[a][p] + intra_hops x hop_nvlink[a][p] + inter_hops x hop_net[a][p],
// with ratio = n / steps for a ring (all-reduce n / 2(n-1), reduce-scatter and all-gather n / (n-1)),
// 1/2 for the double binary tree, and the hop counts of docs/network.md ("Small messages"). Every
// constant is in protocol_model.cpp with the line of NCCL it comes from. Pure functions of the group's
// shape: the analytic CommModel calls `fastest_collective`, net-bench scales its flow simulation by
// `ProtocolCost::efficiency` and adds `ProtocolCost::latency` (collective.h).
#pragma once

#include <string>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"

namespace deepsim {

enum class NcclAlgorithm { kRing, kTree };
enum class NcclProtocol { kLL, kLL128, kSimple };
// Collectives the model knows. Send/recv and all-to-all (n-1 concurrent sends) are one hop of NCCL's
// point-to-point path, which has LL and Simple only.
enum class NcclOp { kAllReduce, kReduceScatter, kAllGather, kSendRecv, kAllToAll };

[[nodiscard]] const char* to_string(NcclAlgorithm a);
[[nodiscard]] const char* to_string(NcclProtocol p);

// The group a collective runs on. `nvlink` is one GPU's achievable NVLink bandwidth per direction;
// `network` one GPU's share of the node's achievable NIC bandwidth per direction (NICs x NIC / GPUs per
// node). The link bus bandwidth the protocols scale is nvlink inside one node, min(nvlink, network)
// across nodes (NCCL's rings and trees then cross a NIC at every node boundary).
struct NcclGroup {
  int ranks = 0;
  int nodes = 1;
  Bandwidth nvlink;
  Bandwidth network;
  [[nodiscard]] Bandwidth link_bus() const;
};

struct ProtocolCost {
  NcclAlgorithm algorithm = NcclAlgorithm::kRing;
  NcclProtocol protocol = NcclProtocol::kSimple;
  Time latency;             // launch + every hop a chunk crosses
  double efficiency = 1;    // the protocol's bus bandwidth / the link bus bandwidth (<= 1)
  Bandwidth busbw;          // link bus bandwidth x efficiency (nccl-tests' busbw at large sizes)
  Bandwidth algbw;          // bytes of the user's buffer per second once the latency is paid
  Time time;                // latency + bytes / algbw
};

// One (algorithm, protocol) pair. Tree is for all-reduce only (as in NCCL); asking a tree for another
// collective, or LL128 for a point-to-point one, is a programming error (DEEPSIM_ASSERT).
[[nodiscard]] ProtocolCost protocol_cost(NcclOp op, NcclAlgorithm a, NcclProtocol p, Bytes bytes, const NcclGroup& g);
// Whether NCCL offers the pair (tree: all-reduce only; LL128: not on point-to-point).
[[nodiscard]] bool protocol_available(NcclOp op, NcclAlgorithm a, NcclProtocol p);
// The fastest protocol for a fixed algorithm, and the fastest pair overall (ties: ring before tree,
// then LL, LL128, Simple: deterministic).
[[nodiscard]] ProtocolCost fastest_protocol(NcclOp op, NcclAlgorithm a, Bytes bytes, const NcclGroup& g);
[[nodiscard]] ProtocolCost fastest_collective(NcclOp op, Bytes bytes, const NcclGroup& g);

// The latency part alone for explicit hop counts (the hierarchical all-reduce of collective.h, whose
// phases NCCL's ring formula does not describe): base + intra x hop_nvlink + inter x hop_net, with the
// multi-node floor on NVLink hops (the proxy's network post overhead) when inter_hops > 0.
[[nodiscard]] Time protocol_latency(NcclAlgorithm a, NcclProtocol p, int intra_hops, int inter_hops);
// The protocol's efficiency alone (see ProtocolCost::efficiency) for an op on a group.
[[nodiscard]] double protocol_efficiency(NcclOp op, NcclAlgorithm a, NcclProtocol p, const NcclGroup& g);

// A protocol's floor for a collective: the latency that replaces the links' own and the share of the
// link bus bandwidth it gets. A bandwidth-only time t_bw (flows or closed form, without latencies)
// becomes latency + t_bw / efficiency (net-bench's --protocol and the step's comm models).
struct ProtocolFloor {
  NcclProtocol protocol = NcclProtocol::kSimple;
  Time latency;
  double efficiency = 1;
};
// NCCL's ring (or, for all-reduce, tree) on the group, hop counts from NCCL's formula.
[[nodiscard]] ProtocolFloor protocol_floor(NcclOp op, NcclAlgorithm a, NcclProtocol p, const NcclGroup& g);
// The hierarchical collectives of collective_plan.h on `per_node` ranks in each of g.nodes nodes: the
// NVLink ring's hops inside the node (g - 1 per reduce-scatter or all-gather part) and the ring over the
// nodes (N - 1 per part); all-reduce has both parts twice.
[[nodiscard]] ProtocolFloor hierarchical_protocol_floor(NcclOp op, NcclProtocol p, const NcclGroup& g, int per_node);

}  // namespace deepsim
