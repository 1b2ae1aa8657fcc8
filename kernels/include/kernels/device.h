// Device discovery for the kernels library: whether a usable CUDA GPU is present, and why not, plus the
// device's own figures (SMs, clocks, memory bus) that a measured run records so that calibration uses the
// GPU that ran, not the one a scenario names.
#pragma once

#include <string>

namespace deepsim::kernels {

// The kernels are compiled for sm_90a only (CMAKE_CUDA_ARCHITECTURES 90a): architecture-specific code runs
// on compute capability 9.0 exactly (H100, H800, H200, H20), not on later majors or on 9.x with x > 0.
inline constexpr int kBuiltSmMajor = 9;
inline constexpr int kBuiltSmMinor = 0;

struct DeviceInfo {
  bool available = false;
  std::string reason;      // why no GPU is usable (empty when available)
  std::string name;        // e.g. "NVIDIA H100 80GB HBM3"
  int sm_major = 0;
  int sm_minor = 0;
  int sms = 0;
  int driver_version = 0;  // cudaDriverGetVersion
  int runtime_version = 0; // cudaRuntimeGetVersion
  int sm_clock_khz = 0;           // peak SM clock (cudaDevAttrClockRate)
  int memory_clock_khz = 0;       // peak memory clock (cudaDevAttrMemoryClockRate)
  int memory_bus_width_bits = 0;  // cudaDeviceProp::memoryBusWidth
  long long total_memory_bytes = 0;
  int l2_bytes = 0;
  // Peak HBM bandwidth from the clock and bus width: 2 transfers per clock (double data rate) x bus bytes.
  [[nodiscard]] double memory_bandwidth_bytes_per_s() const {
    return 2.0 * static_cast<double>(memory_clock_khz) * 1e3 * static_cast<double>(memory_bus_width_bits) / 8.0;
  }
};

// Queries device `ordinal` (default 0). Never throws: a machine without a GPU or driver, or a GPU that the
// built code cannot run on, gets available = false and a reason (the figures are filled where readable).
[[nodiscard]] DeviceInfo query_device(int ordinal = 0);

// The reason a device of compute capability major.minor cannot run the built kernels; "" when it can.
[[nodiscard]] std::string unsupported_reason(int sm_major, int sm_minor);

}  // namespace deepsim::kernels
