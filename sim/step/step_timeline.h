// The step timeline of the report: per pipeline rank (replica 0), its compute and communication tracks as
// spans of one kind (forward, backward, weight grad, optimizer; all-to-all, pipeline send, DP sync) in
// time order, at a resolution of `resolution` x the step (a report is about a thousand pixels wide): each
// bin of a track shows the kind that filled most of it, so a V3 step is a few thousand spans rather than
// tens of thousands of tasks (trace.json has every task). Span `tasks` counts the tasks starting in it.
#pragma once

#include <vector>

#include "sim/engine/engine.h"
#include "sim/step/step_graph.h"
#include "sim/step/step_result.h"

namespace deepsim {

inline constexpr double kTimelineResolution = 1.0 / 1500.0;

[[nodiscard]] std::vector<TimelineSpan> step_timeline(const StepGraph& g, const RunResult& run,
                                                      double resolution = kTimelineResolution);

}  // namespace deepsim
