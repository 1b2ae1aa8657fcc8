// Executes a pipeline schedule on the engine: one compute stream per pipeline rank, the rank's compute
// instructions chained in issue order (the stream alone would run them in ready order), each send a
// delay task after its producer, and each receive a dependency from that send to the rank's next
// compute. With uniform StageCosts this is how the bubble formulas of reference R16 are checked; the step
// builder builds the same shape with per-op costs and real flows for the sends.
#pragma once

#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/task_graph.h"
#include "sim/parallel/pipeline_costs.h"
#include "sim/parallel/schedule.h"

namespace deepsim {

struct ScheduleGraph {
  TaskGraph graph;
  std::vector<StreamId> streams;                  // per rank
  std::vector<std::vector<TaskId>> instr_tasks;   // per rank, per instruction; invalid for receives
};

// Tasks are tagged with gpu = first_gpu + rank (so a caller can place one pipeline among many).
// The schedule must pass check_schedule().
[[nodiscard]] ScheduleGraph build_schedule_graph(const Schedule& s, const StageCosts& costs, int first_gpu = 0);

// Step time (last compute end), busy and bubble per rank from an engine run of build_schedule_graph().
[[nodiscard]] PipelineTiming pipeline_timing(const ScheduleGraph& g, const RunResult& run);

// build_schedule_graph + engine run (no flows: sends cost costs.send) + pipeline_timing.
[[nodiscard]] PipelineTiming run_schedule(const Schedule& s, const StageCosts& costs);

}  // namespace deepsim
