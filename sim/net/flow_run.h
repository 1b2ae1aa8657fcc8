// run(graph, links): the engine (sim/engine/engine.h) bound to the max-min fair flow model on a link
// table. Here, not in the engine, because the flow model and LinkTable live in sim/net, above the engine.
#pragma once

#include "sim/engine/engine.h"
#include "sim/net/link.h"

namespace deepsim {

// Runs `graph` with flows on `links` shared max-min fairly; comm tasks (if any) timed by `comm`.
[[nodiscard]] RunResult run(const TaskGraph& graph, const LinkTable& links, const RunOptions& options = {});
[[nodiscard]] RunResult run(const TaskGraph& graph, const LinkTable& links, CommModel& comm, const RunOptions& options = {});

}  // namespace deepsim
