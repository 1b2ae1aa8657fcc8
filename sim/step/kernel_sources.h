// Which op families a step's kernels are timed with and where each family's figures come from (a
// calibration profile or the roofline default), op by op: the "what it assumed" of a report (issue 13
// item 8).
#pragma once

#include <vector>

#include "sim/model/stage_assignment.h"
#include "sim/perf/kernel_model.h"
#include "sim/step/stage_costs.h"
#include "sim/step/step_result.h"

namespace deepsim {

// Every op of every stage (stage_ops: exactly those stage_costs() times) and each of its passes with work,
// plus the optimizer step, grouped by the family its kernel launch is timed with.
[[nodiscard]] std::vector<FamilySource> kernel_sources(const ModelSpec& m, const std::vector<StageLayers>& stages,
                                                       const KernelModel& model, const StageCostContext& c);

}  // namespace deepsim
