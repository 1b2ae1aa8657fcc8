// KernelModel: the interface that turns an OpWork into a duration on one GPU with a given number of SMs.
// Two implementations: RooflineModel (roofline_model.h, the default) and the calibrated profile models
// built by calibrate/ from measurements. Every report names the model used (describe()).
#pragma once

#include <memory>
#include <string>

#include "sim/core/time.h"
#include "sim/hw/gpu_spec.h"
#include "sim/perf/op_work.h"

namespace deepsim {

// Where a kernel model's figures for one op family come from, for reports (issue 13 item 8).
struct KernelSource {
  bool from_profile = false;  // a calibration profile's fitted family; false: the roofline default
  std::string text;           // in words: the profile and its basis, or the roofline's efficiency
};

class KernelModel {
 public:
  virtual ~KernelModel() = default;
  // Duration of `op` when `sms` SMs are available to it (communication kernels may hold the rest).
  [[nodiscard]] virtual Time time(const OpWork& op, int sms) const = 0;
  // One line for reports: which model, from which source.
  [[nodiscard]] virtual std::string describe() const = 0;
  // Where the figures for `family` come from.
  [[nodiscard]] virtual KernelSource source(OpFamily family) const = 0;
};

}  // namespace deepsim
