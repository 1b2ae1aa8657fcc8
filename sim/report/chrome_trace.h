// Chrome / Perfetto trace-event JSON of one engine run: one process per GPU with a track (thread) per
// stream, and a "network" process with one track per link class where flows appear as async slices
// (they overlap, so they cannot be nested complete events). Open the file in ui.perfetto.dev.
#pragma once

#include <ostream>
#include <span>
#include <string>

#include "sim/engine/engine.h"
#include "sim/engine/task_graph.h"
#include "sim/net/link.h"

namespace deepsim {

struct TraceOptions {
  std::span<const std::string> category_names;  // TaskGraph category -> name ("attention", "dispatch")
  int max_gpus = 64;                             // GPUs beyond this are left out (file size)
};

// Streams are named "gpu<N>/<track>" by the builders; other names go to a "host" process.
void write_chrome_trace(std::ostream& out, const TaskGraph& graph, const RunResult& run, const LinkTable& links,
                        const TraceOptions& options);

}  // namespace deepsim
