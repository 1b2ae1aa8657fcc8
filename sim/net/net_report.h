// Text for `deepsim topo` and `deepsim net-bench`.
#pragma once

#include <string>
#include <vector>

#include "sim/net/collective.h"
#include "sim/net/topology.h"

namespace deepsim {

// Nodes, GPUs, planes, switches by layer, links by class, cables and optics, bisection bandwidth.
[[nodiscard]] std::string describe_topology(const Topology& f);
// The earlier name, kept for sim/cli until it migrates.

struct NetBenchRow {
  double bytes = 0;
  long long count = 0;       // elements of `type` (per rank for all-gather, reduce-scatter, all-to-all)
  std::string type;          // nccl-tests' data type name
  std::string redop;         // "sum" for reductions, "none" otherwise
  CollectiveResult result;
};
struct NetBenchTable {
  std::string collective;
  int gpus = 0;
  int nodes = 0;
  std::string protocol;      // "auto", "LL", ..., "none"
  std::vector<NetBenchRow> rows;
  // nccl-tests' footer: the mean of busbw over the rows.
  [[nodiscard]] double avg_busbw_gbps() const;
};
// A table in nccl-tests' form: size, count, type, redop, root, time, algbw, busbw, #wrong; then
// deepsim's columns (algorithm/protocol, flows; for dispatch/combine IB, NVLink and DeepEP's RDMA
// bandwidth) and the "# Avg bus bandwidth" footer.
[[nodiscard]] std::string format_net_bench(const NetBenchTable& t);

}  // namespace deepsim
