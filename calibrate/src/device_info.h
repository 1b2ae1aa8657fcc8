// DeviceInfo: which GPU, driver and CUDA a measurement was taken with, its hardware-catalog name, and the
// figures the device itself reported (SMs, memory bandwidth, clock), which override the catalog entry.
#pragma once

#include <optional>
#include <string>

#include "sim/hw/gpu_spec.h"

namespace deepsim::calib {

struct DeviceInfo {
  std::string name;     // as the driver reports it: "NVIDIA H100 80GB HBM3"
  std::string catalog;  // hardware-catalog key: "H100" ("" when the name matches no catalog GPU)
  int sms = 0;
  std::string driver;
  std::string cuda;
  double memory_bandwidth_gbps = 0;  // measured run: 2 x memory clock x bus width (0: not recorded)
  int sm_clock_khz = 0;              // measured run: peak SM clock (0: not recorded)
};

// The catalog GPU whose name occurs in `device_name`, longest match first ("H200" before "H20");
// "" when none does.
[[nodiscard]] std::string catalog_name_for(const std::string& device_name);

// The GpuSpec of the device that ran: the catalog entry of `d.catalog` with the device's own SM count and
// (when recorded) memory bandwidth; tensor-core peaks scaled by SMs recorded / SMs in the catalog (same
// clock assumed: the catalog keeps no clock). nullopt when the catalog has no such GPU.
[[nodiscard]] std::optional<GpuSpec> device_gpu_spec(const DeviceInfo& d);

}  // namespace deepsim::calib
