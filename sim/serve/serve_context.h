// What the prefill and decode models share: the model, the hardware a unit runs on, the kernel model
// timing its ops and the workload statistics. A what-if builds another context (another GPU) from the
// same scenario.
#pragma once

#include <memory>

#include "sim/hw/gpu_spec.h"
#include "sim/model/model_spec.h"
#include "sim/perf/kernel_model.h"
#include "sim/scenario/scenario.h"
#include "sim/serve/workload.h"

namespace deepsim {

struct ServeContext {
  ModelSpec model;
  GpuSpec gpu;
  NicSpec nic;
  int gpus_per_node = 8;
  double usd_per_gpu_hour = 0;
  std::shared_ptr<const KernelModel> kernels;
  WorkloadStats work;
  ServingSpec serving;
};

// The scenario's own context: its GPU, NIC and kernel model (calibration profile if it names one).
[[nodiscard]] ServeContext make_serve_context(const Scenario& s, const WorkloadStats& work);
// The same with another catalog GPU, timed by the roofline default (a profile describes one GPU).
[[nodiscard]] ServeContext with_gpu(const ServeContext& base, const GpuSpec& gpu);

}  // namespace deepsim
