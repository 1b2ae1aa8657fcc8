// Named, growable device buffers: activations saved per micro-batch and scratch reused across calls. A name
// is one live tensor; asking again returns the same memory (grown, contents lost, when too small). Counts the
// bytes it holds, which with cudaMemGetInfo gives the run's memory high-water.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "kernels/device_buffer.h"

namespace deepsim::runtime {

class DeviceArena {
 public:
  template <typename T>
  [[nodiscard]] T* get(const std::string& name, std::size_t count) {
    const std::size_t bytes = count * sizeof(T) + kSlack;
    auto& buf = buffers_[name];
    if (buf.size() < bytes) {
      held_bytes_ -= buf.size();
      buf = kernels::DeviceBuffer<std::uint8_t>(bytes);
      held_bytes_ += bytes;
    }
    return reinterpret_cast<T*>(buf.data());
  }
  [[nodiscard]] std::size_t held_bytes() const { return held_bytes_; }

 private:
  static constexpr std::size_t kSlack = 256;  // vectorised kernels may read a few bytes past the end
  std::unordered_map<std::string, kernels::DeviceBuffer<std::uint8_t>> buffers_;
  std::size_t held_bytes_ = 0;
};

}  // namespace deepsim::runtime
