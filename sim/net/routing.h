// Routing on a Topology: the path (LinkIds) and latency between two GPUs.
//  - Same node: GPU -> NVSwitch -> GPU over NVLink.
//  - Across nodes: GPU -> PCIe -> NIC -> leaf [-> spine (-> core -> spine)] -> leaf -> NIC -> PCIe -> GPU.
//  - MPFT: a NIC reaches only its own plane, so a flow to a GPU of another local index is first forwarded
//    over NVLink to the source node's GPU on the destination's plane (as DeepEP does); it never crosses
//    another plane's switches.
// Among equal-cost choices (spines, aggregation switches, cores) the policy picks:
//  - ECMP: a deterministic hash of (source, destination, flow index);
//  - adaptive: the candidate whose links have the fewest bytes assigned so far (ties: lowest index),
//    then charges the flow's bytes to them.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/net/topology.h"

namespace deepsim {

enum class RoutingPolicy { kEcmp, kAdaptive };

struct Route {
  std::vector<LinkId> links;
  Time latency;  // sum of the links' latencies (the published end-to-end figure of the path's class)
};

class Router {
 public:
  Router(const Topology& topo, RoutingPolicy policy);
  // `flow` tells apart flows between the same pair (ECMP input); `bytes` is what adaptive routing charges.
  [[nodiscard]] Route route(int src_gpu, int dst_gpu, std::uint64_t flow = 0, double bytes = 0);
  // Between the NICs of two GPUs that share a plane (or any two NICs of a single-plane fabric), with the
  // GPU ends included: the part of a route after any NVLink forwarding.
  [[nodiscard]] Route route_via_nic(int src_gpu, int dst_gpu, std::uint64_t flow, double bytes);

 private:
  [[nodiscard]] TopologyVertexId leaf_of_nic(int nic) const;
  [[nodiscard]] std::size_t pick(std::size_t candidates, std::uint64_t key, const std::vector<std::vector<LinkId>>& options,
                                 double bytes);
  void switch_path(int src_nic, int dst_nic, std::uint64_t key, double bytes, std::vector<LinkId>& out);

  const Topology& f_;
  RoutingPolicy policy_;
  std::vector<double> load_;  // bytes assigned per link (adaptive)
};

}  // namespace deepsim
