// BenchmarkSet: micro-benchmark results from any source, reduced to timed kernel samples, quoted rates
// (a family's compute or memory ceiling, when a source gives no shapes) and communication figures.
// Sources: the kernel-benchmark driver's JSON (kernels/bench, deepsim-kernel-bench) and the published
// tables transcribed as CSV in calibrate/data/published/<device>/ (README there lists the columns).
#pragma once

#include <string>
#include <vector>

#include "calibrate/src/device_info.h"
#include "calibrate/src/kernel_names.h"
#include "calibrate/src/kernel_sample.h"
#include "sim/perf/kernel_profile.h"

namespace deepsim::calib {

enum class RateBound { kCompute, kMemory };

// "FlashMLA reaches 660 TFLOPS compute-bound": a ceiling without a shape sweep.
struct RateFigure {
  OpFamily family = OpFamily::kAttentionFwd;
  RateBound bound = RateBound::kCompute;
  double value = 0;      // TFLOPS (compute) or GB/s (memory)
  std::string origin;    // file:line
};

struct BenchmarkSet {
  DeviceInfo device;
  std::string date;                  // newest date among the sources
  std::vector<std::string> sources;  // one line per source file
  std::vector<KernelSample> samples;
  std::vector<RateFigure> rates;
  std::vector<CommFigure> comm;

  // Adds `other`; devices must agree (an InputError naming the file otherwise).
  void merge(BenchmarkSet other, const std::string& other_file);
};

// The JSON that deepsim-kernel-bench writes ({device, sms, driver_version, cuda_runtime_version, date_utc,
// results: [{kernel | family, groups, m, n, k, median_ms | time_us, tflops, gbps}]}). Rows whose kernel
// name does not match `only` (a regex; empty: all) are skipped, so one implementation can be fitted.
[[nodiscard]] BenchmarkSet read_microbench_json(const std::string& path, const KernelNameMap& names,
                                                const std::string& only = {});
// One transcribed table; the header says which kind (kernels, rates or communication). `display_name`
// (default: the path) is what profiles and errors call the file, so a profile does not record where the
// repository happened to be checked out.
[[nodiscard]] BenchmarkSet read_table_csv(const std::string& path, const std::string& display_name = {});
// Every *.csv of a folder, in name order.
[[nodiscard]] BenchmarkSet read_published_dir(const std::string& dir);

}  // namespace deepsim::calib
