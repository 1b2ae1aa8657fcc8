// Building a calibration profile from a BenchmarkSet: each op family with timed samples is fitted
// (family_fit.h); a family known only by quoted ceilings becomes a max-form roofline with those
// ceilings; communication figures are carried over. Notes say what was fitted, skipped and why.
#pragma once

#include <string>
#include <vector>

#include "calibrate/src/benchmark_set.h"
#include "calibrate/src/family_fit.h"
#include "sim/perf/kernel_profile.h"

namespace deepsim::calib {

struct BuildOptions {
  std::string name;          // profile name
  std::string generated_by;  // the command line, recorded in the profile
  FitOptions fit;
  // Keep each family's compute rate at or below the catalog GPU's dense peak (FitOptions).
  bool floor_at_peak = true;
};

struct BuildResult {
  KernelProfile profile;
  std::vector<std::string> notes;  // one line each, for the fit report
};

[[nodiscard]] BuildResult build_profile(const BenchmarkSet& data, const BuildOptions& options);

// A human-readable fit report: per family the form, tile, rates, quality and residual table.
[[nodiscard]] std::string fit_report(const KernelProfile& p);

}  // namespace deepsim::calib
