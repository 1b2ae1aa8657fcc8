// The NCCL view of a collective's group on a fabric (protocol_model.h NcclGroup): its ranks, the nodes it
// spans, one GPU's achievable NVLink bandwidth and its share of the node's achievable NIC bandwidth.
// net-bench (collective.h) and the step's comm models (collective_plan.h) both price NCCL's protocol
// floor on it, so the two read the same group.
#pragma once

#include <cstdint>
#include <span>

#include "sim/net/protocol_model.h"
#include "sim/net/topology.h"

namespace deepsim {

[[nodiscard]] NcclGroup nccl_group(const Topology& topo, std::span<const std::int32_t> gpus);

}  // namespace deepsim
