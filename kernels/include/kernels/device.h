// Device discovery for the kernels library: whether a usable CUDA GPU is present, and why not.
#pragma once

#include <string>

namespace deepsim::kernels {

struct DeviceInfo {
  bool available = false;
  std::string reason;      // why no GPU is usable (empty when available)
  std::string name;        // e.g. "NVIDIA H100 80GB HBM3"
  int sm_major = 0;
  int sm_minor = 0;
  int sms = 0;
  int driver_version = 0;  // cudaDriverGetVersion
  int runtime_version = 0; // cudaRuntimeGetVersion
};

// Queries device 0. Never throws: a machine without a GPU or driver gets available = false and a reason.
[[nodiscard]] DeviceInfo query_device();

}  // namespace deepsim::kernels
