// Importing PyTorch-profiler (Kineto) Chrome traces: the GPU kernels (traceEvents with cat "kernel",
// ph "X", dur in microseconds, args grid/block/stream), classified by name (kernel_names.h) and summed
// per class. When the trace was recorded with record_shapes=True, the CPU op that launched a GEMM kernel
// (matched by args "External id") gives its M, N, K, so such kernels can also be fitted. Without it,
// flash attention kernels still get their shape from the launch (launch_shape.h).
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/src/device_info.h"
#include "calibrate/src/kernel_names.h"
#include "calibrate/src/kernel_sample.h"

namespace deepsim::calib {

struct KinetoKernel {
  std::string name;
  std::string kernel_class;
  double ts_us = 0;
  double dur_us = 0;
  int stream = 0;
  std::array<int, 3> grid{1, 1, 1};
  std::array<int, 3> block{1, 1, 1};
  std::string cpu_op;          // the launching CPU op, "" if unknown
  std::optional<OpWork> work;  // GEMM shape from the CPU op's "Input Dims", or from the launch (below)
  bool shape_from_launch = false;  // `work` from the grid and template arguments (launch_shape.h)
  int event_index = 0;         // position in traceEvents
};

struct KinetoTrace {
  std::string file;
  DeviceInfo device;           // from deviceProperties[0] when present
  std::vector<KinetoKernel> kernels;
};

struct ClassSummary {
  std::string kernel_class;
  int count = 0;
  double total_us = 0;
  double share = 0;            // of all kernel time in the trace
  int with_shape = 0;          // kernels whose shape is known (usable for fits)
  int shape_from_launch = 0;   // of them, shapes from the launch configuration (no CPU-op shape)
  std::string top_kernel;      // the name with the most time in this class
};

// Wall-clock view of a trace: per stream, the union of its kernels' intervals; over all streams, the
// union again. Kernels of different streams run at once (DeepEP's communication beside the compute),
// so summed kernel time overstates the wall time; `overlapped_us` is by how much.
struct StreamSummary {
  int stream = 0;
  int kernels = 0;
  double kernel_us = 0;  // summed durations
  double busy_us = 0;    // union of the intervals
  std::map<std::string, double> class_us;  // summed durations per kernel class
};
struct OverlapSummary {
  double span_us = 0;        // first kernel start to last kernel end
  double busy_us = 0;        // union over all streams: time with any kernel running
  double summed_us = 0;      // all kernel durations added
  double overlapped_us = 0;  // summed per-stream busy time minus busy_us: time two streams ran at once
  std::vector<StreamSummary> streams;  // by stream id
};
[[nodiscard]] OverlapSummary overlap_summary(const KinetoTrace& t);
[[nodiscard]] std::string overlap_table(const OverlapSummary& o);

[[nodiscard]] KinetoTrace read_kineto_trace(const std::string& path, const KernelNameMap& names = KernelNameMap());
[[nodiscard]] KinetoTrace parse_kineto_trace(std::string text, const std::string& display_name,
                                             const KernelNameMap& names = KernelNameMap());
// One row per class present, in kernel_class_names() order.
[[nodiscard]] std::vector<ClassSummary> summarize(const KinetoTrace& t);
[[nodiscard]] std::string summary_table(const std::vector<ClassSummary>& rows);
// GEMM kernels with a known shape; `sms` is the device's SM count (from the trace when 0).
[[nodiscard]] std::vector<KernelSample> samples_from_kineto(const KinetoTrace& t, int sms = 0);

// GEMM shape (m, n, k, groups) from a CPU op's name and "Input Dims"; nullopt when the op or dims are not
// a plain matrix product (aten::mm, addmm, bmm, linear, matmul with a 2-D weight).
[[nodiscard]] std::optional<std::array<std::int64_t, 4>> gemm_shape_from_dims(
    const std::string& op, const std::vector<std::vector<std::int64_t>>& dims);

}  // namespace deepsim::calib
