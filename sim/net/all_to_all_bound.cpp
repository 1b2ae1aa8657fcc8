#include "sim/net/all_to_all_bound.h"

#include <algorithm>

#include "sim/core/error.h"

namespace deepsim {

AllToAllLoad all_to_all_load(const EpGroupShape& g, const TokenRouting& r, double bytes_per_token) {
  const auto n = static_cast<std::size_t>(g.gpus);
  DEEPSIM_ASSERT(r.destinations.size() == n && r.offsets.size() == n, "routing for every GPU of the group");
  const int per_node = std::min(g.gpus_per_node, g.gpus);
  const int nodes = (g.gpus + per_node - 1) / per_node;
  AllToAllLoad load;
  load.nic_out.assign(n, 0);
  load.nic_in.assign(n, 0);
  load.nvlink_out.assign(n, 0);
  load.nvlink_in.assign(n, 0);
  std::vector<int> seen_gpu(n, -1), seen_node(static_cast<std::size_t>(nodes), -1);
  int stamp = 0;
  for (std::size_t src = 0; src < n; ++src) {
    const int src_node = static_cast<int>(src) / per_node;
    const int src_local = static_cast<int>(src) % per_node;
    const auto& dst = r.destinations[src];
    const auto& off = r.offsets[src];
    for (std::size_t t = 0; t + 1 < off.size(); ++t, ++stamp) {
      for (std::uint32_t k = off[t]; k < off[t + 1]; ++k) {
        const int d = dst[k];
        DEEPSIM_ASSERT(d >= 0 && d < g.gpus, "destination outside the EP group");
        if (seen_gpu[static_cast<std::size_t>(d)] == stamp) continue;
        seen_gpu[static_cast<std::size_t>(d)] = stamp;
        const int node = d / per_node;
        if (seen_node[static_cast<std::size_t>(node)] != stamp) {
          seen_node[static_cast<std::size_t>(node)] = stamp;
          load.unique_token_nodes += 1;
          if (node != src_node) {  // one IB crossing per destination node, to the same local index there
            const auto relay = static_cast<std::size_t>(node * per_node + src_local);
            load.nic_out[src] += bytes_per_token;
            load.nic_in[relay] += bytes_per_token;
            load.ib_bytes += bytes_per_token;
          }
        }
        // The GPU that holds the token in the destination node: the source itself, or the relay.
        const int holder = node == src_node ? static_cast<int>(src) : node * per_node + src_local;
        if (d != holder) {
          load.nvlink_out[static_cast<std::size_t>(holder)] += bytes_per_token;
          load.nvlink_in[static_cast<std::size_t>(d)] += bytes_per_token;
          load.nvlink_bytes += bytes_per_token;
        }
      }
    }
  }
  return load;
}

Time all_to_all_time(const EpGroupShape& g, const AllToAllLoad& load) {
  double worst = 0;
  for (std::size_t i = 0; i < load.nic_out.size(); ++i) {
    worst = std::max({worst, load.nic_out[i] / g.nic.bytes_per_s(), load.nic_in[i] / g.nic.bytes_per_s(),
                      load.nvlink_out[i] / g.nvlink.bytes_per_s(), load.nvlink_in[i] / g.nvlink.bytes_per_s()});
  }
  return g.latency + Time::from_seconds_ceil(worst);
}

}  // namespace deepsim
