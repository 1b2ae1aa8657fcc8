// MeasuredRun: one executor run (deepsim-exec) as recorded in the measured-run JSON of
// docs/measured-run.md: device, software, the executor's scenario YAML, step times and every kernel with
// its stream, timestamps, launch grid and tags (layer, op, micro-batch, phase F/B/W, family, shape).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/src/device_info.h"
#include "calibrate/src/kernel_names.h"
#include "calibrate/src/kernel_sample.h"

namespace deepsim::calib {

inline constexpr const char* kMeasuredRunSchema = "deepsim.measured-run/1";

struct MeasuredStep {
  int index = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  bool warmup = false;  // warm-up steps are recorded but left out of fits and comparisons
  [[nodiscard]] double seconds() const { return static_cast<double>(end_ns - start_ns) * 1e-9; }
};

struct MeasuredKernel {
  std::string name;
  int stream = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::array<int, 3> grid{1, 1, 1};
  std::array<int, 3> block{1, 1, 1};
  int step = -1;           // index into MeasuredRun::steps' `index`; -1 when outside any step
  int layer = -1;
  std::string op;          // the model op, "attn.q_b", "moe.expert_up", ...
  int micro_batch = -1;
  std::string phase;       // "F", "B", "W" or "" (optimizer, other)
  std::string kernel_class;  // op family name, "communication" or "other" (from the file or by name)
  std::optional<OpWork> work;  // shape, FLOPs and bytes when the executor knew them
  int sms = 0;             // SMs the kernel could use (0: the whole device)
  int json_index = 0;      // position in "kernels", for error messages
  [[nodiscard]] double seconds() const { return static_cast<double>(end_ns - start_ns) * 1e-9; }
};

struct MeasuredRun {
  std::string file;
  DeviceInfo device;
  std::string date;            // ISO 8601
  std::string executor;        // executor version / git description
  std::string config_yaml;     // the executor model as a scenario-compatible YAML document
  int rank = 0;                // this file's rank (rank = stage x dp + dp rank in deepsim-exec)
  int ranks = 1;
  std::vector<MeasuredStep> steps;
  std::vector<MeasuredKernel> kernels;

  // Steps that count (not warm-up).
  [[nodiscard]] std::vector<const MeasuredStep*> timed_steps() const;
  [[nodiscard]] bool is_timed(int step_index) const;
};

// Kernels without a "family" are classified by name with `names`.
[[nodiscard]] MeasuredRun read_measured_run(const std::string& path, const KernelNameMap& names = KernelNameMap());
[[nodiscard]] MeasuredRun parse_measured_run(std::string text, const std::string& display_name,
                                             const KernelNameMap& names = KernelNameMap());

// Fitting samples: kernels of timed steps whose class is an op family and whose shape is known.
[[nodiscard]] std::vector<KernelSample> samples_from_run(const MeasuredRun& run);

}  // namespace deepsim::calib
