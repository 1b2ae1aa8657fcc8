#include <cuda_runtime.h>

#include <string>

#include "kernels/device.h"

namespace deepsim::kernels {
namespace {

// A kernel whose attributes can only be read when the binary holds code for the device: the probe for
// "no kernel image is available for execution on the device" before any real launch.
__global__ void built_for_device_probe() {}

int attribute(cudaDeviceAttr a, int ordinal) {
  int v = 0;
  if (cudaDeviceGetAttribute(&v, a, ordinal) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return v;
}

}  // namespace

std::string unsupported_reason(int sm_major, int sm_minor) {
  if (sm_major == kBuiltSmMajor && sm_minor == kBuiltSmMinor) return "";
  return "the kernels are built for sm_90a only (Hopper, compute capability 9.0); this device is sm_" +
         std::to_string(sm_major) + std::to_string(sm_minor) +
         " (hint: rebuild with CMAKE_CUDA_ARCHITECTURES for it, after porting the wgmma/FP8 kernels)";
}

DeviceInfo query_device(int ordinal) {
  DeviceInfo info;
  cudaRuntimeGetVersion(&info.runtime_version);
  cudaDriverGetVersion(&info.driver_version);
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    info.reason = std::string("no CUDA device: ") + cudaGetErrorString(err);
    cudaGetLastError();  // clear the sticky error so later calls are not confused
    return info;
  }
  if (count <= ordinal) {
    info.reason = "no CUDA device " + std::to_string(ordinal) + ": cudaGetDeviceCount returned " + std::to_string(count);
    return info;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, ordinal) != cudaSuccess) {
    cudaGetLastError();
    info.reason = "cudaGetDeviceProperties failed";
    return info;
  }
  info.name = prop.name;
  info.sm_major = prop.major;
  info.sm_minor = prop.minor;
  info.sms = prop.multiProcessorCount;
  info.memory_bus_width_bits = prop.memoryBusWidth;
  info.total_memory_bytes = static_cast<long long>(prop.totalGlobalMem);
  info.l2_bytes = prop.l2CacheSize;
  // CUDA 13 dropped clockRate / memoryClockRate from cudaDeviceProp; the attributes remain.
  info.sm_clock_khz = attribute(cudaDevAttrClockRate, ordinal);
  info.memory_clock_khz = attribute(cudaDevAttrMemoryClockRate, ordinal);
  info.reason = unsupported_reason(prop.major, prop.minor);
  if (!info.reason.empty()) return info;
  int current = 0;
  cudaGetDevice(&current);
  cudaSetDevice(ordinal);
  cudaFuncAttributes attr{};
  const cudaError_t probe = cudaFuncGetAttributes(&attr, built_for_device_probe);
  cudaSetDevice(current);
  if (probe != cudaSuccess) {
    info.reason = std::string("the binary holds no code for this device: ") + cudaGetErrorString(probe);
    cudaGetLastError();
    return info;
  }
  info.available = true;
  return info;
}

}  // namespace deepsim::kernels
