#include "sim/net/nccl_group.h"

#include <algorithm>
#include <vector>

namespace deepsim {

NcclGroup nccl_group(const Topology& topo, std::span<const std::int32_t> gpus) {
  const ClusterSpec& c = topo.cluster;
  NcclGroup g;
  g.ranks = static_cast<int>(gpus.size());
  std::vector<int> nodes;
  nodes.reserve(gpus.size());
  for (const std::int32_t r : gpus) nodes.push_back(topo.node_of(r));
  std::sort(nodes.begin(), nodes.end());
  g.nodes = std::max<int>(1, static_cast<int>(std::unique(nodes.begin(), nodes.end()) - nodes.begin()));
  g.nvlink = c.gpu.nvlink_per_direction * c.gpu.nvlink_achievable;
  g.network = c.nic.line_rate * c.nic.achievable * (static_cast<double>(c.nics_per_node) / std::max(1, c.gpus_per_node));
  return g;
}

}  // namespace deepsim
