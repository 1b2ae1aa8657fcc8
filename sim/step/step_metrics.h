// From an executed step graph to the StepResult metrics: per-rank busy, idle, exposed communication and
// bubble; time by category and by phase; link use by class.
//   busy      = time the rank's compute stream runs a task
//   exposed   = time some communication of the rank (all-to-all, pipeline send, DP sync) is in flight
//               while its compute stream is idle
//   bubble    = step - busy - exposed: the rank waits on the pipeline with nothing in flight
#pragma once

#include "sim/engine/engine.h"
#include "sim/net/link.h"
#include "sim/step/step_graph.h"
#include "sim/step/step_result.h"

namespace deepsim {

[[nodiscard]] StepResult step_metrics(const StepGraph& g, const RunResult& run, const LinkTable& links,
                                      const std::vector<int>& rank_gpu);

}  // namespace deepsim
