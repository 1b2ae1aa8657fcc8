// Kernel timing with CUPTI: activity records of kind CONCURRENT_KERNEL (name, stream, start/end in ns,
// grid, block) joined with the executor's tag at launch time. A callback on the runtime and driver launch
// APIs stores (correlation id -> current tag); each kernel record finds its tag by its correlation id.
// CUPTI's buffer callbacks carry no user pointer, so one tracer per process is active (checked).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "runtime/kernel_tag.h"
#include "runtime/measured_run.h"

namespace deepsim::runtime {

// CUPTI's timestamp (ns), the clock of the kernel records: step bounds are taken with it.
[[nodiscard]] std::uint64_t cupti_timestamp_ns();

class CuptiTracer {
 public:
  explicit CuptiTracer(const KernelTagger& tagger);  // subscribes and enables activity (throws on CUPTI errors)
  CuptiTracer(const CuptiTracer&) = delete;
  CuptiTracer& operator=(const CuptiTracer&) = delete;
  ~CuptiTracer();

  // Flushes CUPTI's buffers and returns every kernel recorded since the last call (call after a device sync).
  [[nodiscard]] std::vector<KernelRecord> take_records();
  // Stop keeping records (kernels still run); e.g. warm-up steps are recorded, later ones dropped.
  void set_recording(bool on) { recording_ = on; }

  // CUPTI entry points (C callbacks; public only so the .cpp's trampolines can reach them).
  void on_launch(std::uint32_t correlation_id);
  void on_buffer(std::uint8_t* buffer, std::size_t valid_size);

 private:
  const KernelTagger& tagger_;
  struct Subscriber;
  std::unique_ptr<Subscriber> subscriber_;
  std::mutex mutex_;
  std::unordered_map<std::uint32_t, KernelTag> tags_;  // correlation id -> tag at launch
  std::vector<KernelRecord> records_;
  bool recording_ = true;
};

}  // namespace deepsim::runtime
