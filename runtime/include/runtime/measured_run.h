// The measured run: what one executor rank observed (device, config, step times and losses, every kernel
// with its layer/op/micro-batch/phase tag, memory high-water), written as measured-run JSON (schema
// "deepsim.measured-run/1", docs/measured-run.md, read by calibrate/) and as a Perfetto / Chrome trace-event
// file, one track per stream. Times are nanoseconds on CUPTI's clock (GPU runs) so kernels and steps compare.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace deepsim::runtime {

// The family of an op made of GEMMs (a Linear, the expert MLPs): the GEMM engine replaces it by gemm_fp8 /
// gemm_bf16 on the GEMM launch alone; any other kernel still carrying it is written as memory_bound.
inline constexpr const char* kGemmOpFamily = "gemm";

// What the executor was doing when a kernel was launched (kernel_tag.h sets it).
struct KernelTag {
  int layer = -1;           // transformer layer; -1: embedding/head/optimizer
  std::string op;           // e.g. "attn.wq_a", "moe.dispatch", "adamw"
  int micro_batch = -1;
  char phase = '\0';        // F forward, B backward (input gradients), W weight gradients; '\0' other work
  std::string family;       // docs/measured-run.md: gemm_fp8, gemm_bf16, grouped_gemm_fp8, attention_fwd,
                            // attention_bwd, memory_bound, communication (op names follow sim/model ops)
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
  double time_ms = 0.0;       // CUDA-event time of the step on this rank's stream
  long tokens = 0;            // tokens this step trained on (all dp ranks)
  double loss = 0.0;
  std::uint64_t start_ns = 0; // wall-clock bounds on the kernels' clock (CUPTI timestamps)
  std::uint64_t end_ns = 0;
};

// The device that ran, as cudaGetDeviceProperties / cudaDeviceGetAttribute report it. No hardware-catalog
// name: calibrate/ maps `name` to the catalog and overrides the entry with these figures, so a run on an
// H200 is never calibrated as the scenario's H100 (the scenario's cluster.gpu is kept apart, for reading).
struct DeviceRecord {
  std::string name;
  int sm = 0;           // e.g. 90
  int sms = 0;
  int driver = 0;       // cudaDriverGetVersion, e.g. 13000
  int cuda = 0;         // cudaRuntimeGetVersion
  std::string date;     // ISO-8601 UTC of the run
  std::string scenario_gpu;          // cluster.gpu of the scenario (informational only)
  int sm_clock_khz = 0;              // peak SM clock
  int memory_clock_khz = 0;          // peak memory clock
  int memory_bus_width_bits = 0;
  double memory_bandwidth_gbps = 0;  // 2 x memory clock x bus width (0: unknown, e.g. the CPU path)
  long long memory_bytes = 0;
  int l2_bytes = 0;
};

struct MeasuredRun {
  DeviceRecord device;
  std::string config_yaml;            // the scenario YAML the run used (docs/scenario.md)
  nlohmann::json config;              // config_to_json(): the same as JSON plus the exec keys
  std::vector<StepRecord> steps;
  std::vector<KernelRecord> kernels;
  std::uint64_t high_water_bytes = 0;
  int rank = 0;
  int world_size = 1;
  std::string mode = "gpu";           // gpu or cpu-reference
  int warmup_steps = 1;               // leading steps marked warmup (left out of fits)
};

inline constexpr const char* kMeasuredRunSchema = "deepsim.measured-run/1";

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
