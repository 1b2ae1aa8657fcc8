#include "sim/serve/serve_context.h"

#include "sim/perf/kernel_model_factory.h"

namespace deepsim {

ServeContext make_serve_context(const Scenario& s, const WorkloadStats& work) {
  ServeContext c;
  c.model = s.model;
  c.gpu = s.cluster.gpu;
  c.nic = s.cluster.nic;
  c.gpus_per_node = s.cluster.gpus_per_node;
  c.usd_per_gpu_hour = s.pricing.usd_per_gpu_hour;
  c.kernels = make_kernel_model(s.cluster.gpu, s.calibration.profile, s.source_file, s.pos_of("calibration.profile"));
  c.work = work;
  c.serving = s.serving;
  return c;
}

ServeContext with_gpu(const ServeContext& base, const GpuSpec& gpu) {
  ServeContext c = base;
  c.gpu = gpu;
  c.kernels = make_kernel_model(gpu, "");
  return c;
}

}  // namespace deepsim
