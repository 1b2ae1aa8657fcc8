// AllToAllBound: the time of a DeepEP-style MoE dispatch or combine over one EP group from the actual
// routing, by the bottleneck ("hottest link") rule:
//     t = latency + max over links L of bytes(L) / capacity(L)
// with DeepEP's normal-kernel routing (reference R24, ISCA 4.3): a token crosses InfiniBand at most once
// per destination node, from its GPU's NIC to the GPU with the same local index there (so it stays in
// its plane), and is then forwarded over NVLink to each other GPU of that node that hosts one of its
// experts; destinations in its own node are reached over NVLink directly. Links counted: each GPU's NIC
// (send and receive direction) and each GPU's NVLink port (send and receive direction); the switch
// fabric is assumed non-blocking for the EP group (true for EP64 under one MPFT leaf). Combine moves
// the same traffic in reverse. This is exact for the time the busiest link needs and a lower bound on
// the max-min flow simulation (which adds the ramp-down tail when the busiest link is not busy all
// the time); the step uses it per micro-batch and layer because it costs O(tokens x top_k).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/net/token_routing.h"

namespace deepsim {

struct EpGroupShape {
  int gpus = 0;            // EP group size
  int gpus_per_node = 8;   // the group is gpus / gpus_per_node whole nodes (or one partial node)
  Bandwidth nic;           // achievable, per direction
  Bandwidth nvlink;        // achievable, per direction, per GPU
  Time latency;            // fixed cost: IB cross-leaf + NVLink hop (+ kernel launch)
};

struct AllToAllLoad {
  std::vector<double> nic_out, nic_in, nvlink_out, nvlink_in;  // bytes per GPU of the group
  double ib_bytes = 0;        // total bytes over InfiniBand
  double nvlink_bytes = 0;    // total bytes over NVLink
  double unique_token_nodes = 0;  // sum over tokens of distinct destination nodes (own node included)
};

// Bytes each link carries when every (token, destination node) pair moves `bytes_per_token` once over IB
// and every (token, destination GPU) pair not reached directly is forwarded once over NVLink.
[[nodiscard]] AllToAllLoad all_to_all_load(const EpGroupShape& g, const TokenRouting& r, double bytes_per_token);
[[nodiscard]] Time all_to_all_time(const EpGroupShape& g, const AllToAllLoad& load);

// DeepEP's bytes per token: FP8 hidden plus one FP32 scale per 128 channels (dispatch), BF16 (combine).
[[nodiscard]] constexpr double dispatch_bytes_per_token(int hidden) { return hidden + hidden / 128.0 * 4.0; }
[[nodiscard]] constexpr double combine_bytes_per_token(int hidden) { return hidden * 2.0; }

}  // namespace deepsim
