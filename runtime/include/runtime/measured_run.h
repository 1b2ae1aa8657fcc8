// The measured run: what one executor rank observed (device, config, step times and losses, every kernel
// with its layer/op/micro-batch/phase tag, memory high-water), written as measured-run JSON (schema 1, the
// structure of the brief; docs/runtime.md) and as a Perfetto / Chrome trace-event file, one track per stream.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace deepsim::runtime {

// What the executor was doing when a kernel was launched (kernel_tag.h sets it).
struct KernelTag {
  int layer = -1;           // transformer layer; -1: embedding/head/optimizer
  std::string op;           // e.g. "attn.wq_a", "moe.dispatch", "adamw"
  int micro_batch = -1;
  char phase = 'F';         // F forward, B backward (input gradients), W weight gradients / optimizer
  std::string family;       // kernel family for the calibration fit: gemm, grouped_gemm, attention, elementwise, comm
  long m = 0, n = 0, k = 0; // GEMM shape (0 when not a GEMM)
};

struct KernelRecord {
  std::string name;
  std::uint32_t stream = 0;
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;
  std::array<int, 3> grid{};
  std::array<int, 3> block{};
  KernelTag tag;
};

struct StepRecord {
  int step = 0;
  double time_ms = 0.0;
  long tokens = 0;      // tokens this step trained on (all dp ranks)
  double loss = 0.0;
};

struct DeviceRecord {
  std::string name;
  int sm = 0;           // e.g. 90
  int sms = 0;
  int driver = 0;
  int cuda = 0;
  std::string date;     // ISO-8601 UTC of the run
};

struct MeasuredRun {
  DeviceRecord device;
  nlohmann::json config;              // config_to_json(): scenario-compatible model/parallel/training + exec
  std::vector<StepRecord> steps;
  std::vector<KernelRecord> kernels;
  std::uint64_t high_water_bytes = 0;
  int rank = 0;
  int world_size = 1;
  std::string mode = "gpu";           // gpu or cpu-reference
};

[[nodiscard]] nlohmann::json to_json(const MeasuredRun& run);
// Chrome trace-event JSON: one process per rank, one thread (track) per stream, "X" events in microseconds
// from the first kernel, args carrying the tag; plus a "steps" track with one span per step when kernels are
// absent (CPU path).
[[nodiscard]] nlohmann::json to_trace_json(const MeasuredRun& run);
void write_json_file(const nlohmann::json& j, const std::string& path);

struct KernelSummary {
  std::string name;
  long count = 0;
  double total_ms = 0.0;
};
// Kernels grouped by name, by total time, largest first.
[[nodiscard]] std::vector<KernelSummary> top_kernels(const std::vector<KernelRecord>& kernels, std::size_t n);

[[nodiscard]] std::string utc_now_iso8601();

}  // namespace deepsim::runtime
