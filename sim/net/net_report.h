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
  CollectiveResult result;
};
// A table like nccl-tests': size, time, algbw, busbw (and, for dispatch/combine, IB and NVLink GB/s).
[[nodiscard]] std::string format_net_bench(const std::string& collective, int gpus, const std::vector<NetBenchRow>& rows);

}  // namespace deepsim
