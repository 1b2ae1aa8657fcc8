// The hardware catalog: GPU and NIC models with their published figures and sources (docs/scenario.md).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sim/hw/gpu_spec.h"

namespace deepsim {

[[nodiscard]] std::span<const GpuSpec> gpu_catalog();
[[nodiscard]] std::span<const NicSpec> nic_catalog();
[[nodiscard]] std::optional<GpuSpec> find_gpu(std::string_view name);  // case-insensitive
[[nodiscard]] std::optional<NicSpec> find_nic(std::string_view name);  // case-insensitive
// What a GPU is, in words: the catalog entry's description, plus the figures a scenario overrode
// ("NVIDIA H100 SXM5 80 GB (Hopper); overridden: sms, hbm_gb").
[[nodiscard]] std::string describe_gpu(const GpuSpec& g);
// NVLink latency of one hop through the NVSwitch (ISCA Table 5, reference R6).
[[nodiscard]] Time nvlink_hop_latency();

}  // namespace deepsim
