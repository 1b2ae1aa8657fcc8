#include "sim/forecast/failure_model.h"

#include <cmath>

#include "sim/core/error.h"
#include "sim/core/format.h"

namespace deepsim {

double failure_rate_per_h(const FailureInputs& in) {
  double rate = 0;
  if (in.gpu_mtbf_h > 0) rate += in.gpus / in.gpu_mtbf_h;
  if (in.node_mtbf_h > 0) rate += in.nodes / in.node_mtbf_h;
  return rate;
}

double young_interval_h(double write_h, double mtbf_h) { return std::sqrt(2.0 * write_h * mtbf_h); }

double daly_interval_h(double write_h, double mtbf_h) {
  if (write_h >= 2.0 * mtbf_h) return mtbf_h;
  const double x = write_h / (2.0 * mtbf_h);
  return std::sqrt(2.0 * write_h * mtbf_h) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - write_h;
}

FailureOutcome failure_outcome(const FailureInputs& in, double compute_h) {
  DEEPSIM_ASSERT(in.interval_h > 0, "failure_outcome: the checkpoint interval must be positive");
  FailureOutcome o;
  o.rate_per_h = failure_rate_per_h(in);
  o.system_mtbf_h = o.rate_per_h > 0 ? 1.0 / o.rate_per_h : 0.0;
  o.loss_per_failure_h = in.restart_h + 0.5 * (in.interval_h + in.write_h);
  const double lost_share = o.rate_per_h * o.loss_per_failure_h;
  if (lost_share >= 1.0)
    throw InputError({}, "failures",
                     "the run cannot make progress: a failure every " + fixed(o.system_mtbf_h, 2) +
                         " h on average, each costing " + fixed(o.loss_per_failure_h, 2) +
                         " h (restart + half a checkpoint period)",
                     "checkpoint more often, restart faster, or check the MTBF figures");
  o.checkpoint_h = compute_h * in.write_h / in.interval_h;
  o.wall_h = (compute_h + o.checkpoint_h) / (1.0 - lost_share);
  o.failures = o.rate_per_h * o.wall_h;
  o.lost_h = o.failures * o.loss_per_failure_h;
  o.goodput = o.wall_h > 0 ? compute_h / o.wall_h : 1.0;
  return o;
}

}  // namespace deepsim
