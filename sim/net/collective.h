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
#pragma once

#include <string>
#include <vector>

#include "sim/net/flow_run.h"
#include "sim/engine/task_graph.h"
#include "sim/net/all_to_all_bound.h"
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
};

// Appends the collective's flows to `graph`; returns the number of flows added.
std::size_t add_collective(const Topology& topo, const CollectiveSpec& spec, TaskGraph& graph, CollectiveResult& info);
[[nodiscard]] CollectiveResult run_collective(const Topology& topo, const CollectiveSpec& spec,
                                              Time flow_quantum = Time::zero());

}  // namespace deepsim
