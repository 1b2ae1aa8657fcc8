// Chrome / Perfetto trace-event JSON of one engine run, laid out the way Perfetto groups well
// (docs/performance.md, "Traces"):
//  - one process per GPU; a thread per stream ("compute", "comm"); every flow a GPU sends (pipeline
//    sends) is a slice on that GPU's own comm track. Slices that overlap on a track are moved to the
//    next lane ("comm 2", ...), since a track's slices must nest;
//  - slices are named by op from a small fixed set ("attn fwd", "moe dgrad", "dispatch", "send act")
//    with layer, micro-batch, stage, chunk, FLOPs and bytes in `args` (with StepTaskInfo; without it,
//    by the task's label);
//  - a flow arrow (ph s -> f) from each send to the first task that consumes it;
//  - counter tracks: memory in use per GPU (with TraceMemory) and, in a "network" process, the
//    utilisation of each link class over time: the class's summed rate over the capacity of its links
//    that carried anything (with TraceOptions::link_use, what the engine recorded: comm tasks of both
//    comm models and flows; without, the graph's flow tasks at their mean rates), at most
//    2000 samples per class (beyond that, means over equal bins).
// Open the file in ui.perfetto.dev (or chrome://tracing).
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/link_use_timeline.h"
#include "sim/engine/task_graph.h"
#include "sim/net/link.h"
#include "sim/step/task_info.h"

namespace deepsim {

// Memory in use on a GPU: the states (weights, gradients, optimizer) plus the activations of the
// micro-batches in flight, one `activations_per_micro_batch` from the first forward op of a
// (micro-batch, chunk) to its last backward op.
struct TraceMemory {
  int gpu = 0;
  Bytes states;
  Bytes activations_per_micro_batch;
};

struct TraceOptions {
  std::span<const std::string> category_names;  // TaskGraph category -> name ("attention", "dispatch")
  int max_gpus = 64;                             // GPUs beyond this are left out (file size)
  std::span<const StepTaskInfo> info{};          // per task; empty: slices named by their label
  std::vector<TraceMemory> memory{};             // memory counters; empty: none
  // Link use over time with one channel per link class (link_class_timeline()); null: the flow tasks'.
  const LinkUseTimeline* link_use = nullptr;
};

// Streams are named "gpu<N>/<track>" by the builders; other names go to a "host" process.
void write_chrome_trace(std::ostream& out, const TaskGraph& graph, const RunResult& run, const LinkTable& links,
                        const TraceOptions& options);

}  // namespace deepsim
