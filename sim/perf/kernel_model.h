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

class KernelModel {
 public:
  virtual ~KernelModel() = default;
  // Duration of `op` when `sms` SMs are available to it (communication kernels may hold the rest).
  [[nodiscard]] virtual Time time(const OpWork& op, int sms) const = 0;
  // One line for reports: which model, from which source.
  [[nodiscard]] virtual std::string describe() const = 0;
};

}  // namespace deepsim
