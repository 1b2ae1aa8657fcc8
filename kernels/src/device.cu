#include <cuda_runtime.h>

#include <string>

#include "kernels/device.h"

namespace deepsim::kernels {

DeviceInfo query_device() {
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
  if (count == 0) {
    info.reason = "no CUDA device: cudaGetDeviceCount returned 0";
    return info;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
    info.reason = "cudaGetDeviceProperties failed";
    return info;
  }
  info.name = prop.name;
  info.sm_major = prop.major;
  info.sm_minor = prop.minor;
  info.sms = prop.multiProcessorCount;
  if (prop.major < 9) {
    info.reason = "kernels need sm_90a (Hopper); device is sm_" + std::to_string(prop.major) + std::to_string(prop.minor);
    return info;
  }
  info.available = true;
  return info;
}

}  // namespace deepsim::kernels
