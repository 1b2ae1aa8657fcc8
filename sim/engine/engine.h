// The discrete-event engine: runs a TaskGraph over a LinkTable and reports when every task ran.
//
// Semantics (task_graph.h lists the task kinds):
//  - A task is *ready* when its last predecessor finishes. Ready delays and flows start at once.
//    Ready compute tasks queue on their stream (a FIFO resource): in the order they became ready, ties
//    by task id; a stream runs one task at a time.
//  - A flow holds its comm_sms on its gpu from start to end (sm_sharing.h), waits its fixed latency,
//    then moves its bytes in the flow model (sim/net/flow_network.h), sharing links max-min fairly.
//    A flow alone takes latency + bytes / min capacity. Flows with no bytes or an empty path take
//    just their latency.
//  - A compute task with comm_sms > 0 is a communication kernel on a stream: it holds those SMs for its
//    duration and is not slowed itself.
//  - Compute on a GPU with declared SMs progresses at (S - held) / S of nominal speed while
//    communication holds SMs (processor sharing, sm_sharing.h); otherwise it takes its duration.
//  - Events at one instant are handled in (time, insertion) order; then, once per instant, newly ready
//    tasks start (by task id), and the flow and SM models re-time what that instant changed. So results
//    never depend on the order of simultaneous events, and two runs of one graph are identical.
//  - A comm task (a typed collective, comm_op.h) queues on its stream like compute (or starts when
//    ready if it has none), holds its SMs from start to end, and is timed by the CommModel
//    (comm_model.h): a closed-form duration, or rounds of flows on the flow model that contend with
//    every other flow. Its link use reaches RunResult either way.
//  - With RunOptions::link_use, the engine also records every link's rate over time (traces'
//    utilisation counters, link_use_timeline.h): a duration plan's Plan::link_share spread evenly over
//    [start, start + duration), and each flow's rate from one re-solve that moves its finish to the
//    next (a re-solve that changes a rate but not the finish, below one picosecond, is not seen).
//    Without it the loop pays one pointer test per flow event.
//  - Flows reach the network model through FlowModel (flow_model.h). run(graph, links) in
//    sim/net/flow_run.h binds the max-min fair model (sim/net/flow_network.h); the engine includes no
//    sim/net header (deepsim_net sits above deepsim_engine in the module graph).
//  - A graph that cannot complete (a cycle, a flow on a zero-capacity link, compute starved of SMs)
//    throws InternalError naming the stuck tasks; the engine never hangs.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/time.h"
#include "sim/engine/comm_model.h"
#include "sim/engine/flow_model.h"
#include "sim/engine/link_use_timeline.h"
#include "sim/engine/task_graph.h"

namespace deepsim {

struct RunOptions {
  bool record_link_bytes = true;  // fill RunResult::link_bytes and link_busy
  // Zero: exact. Otherwise flow completions round up to a multiple of this quantum, so flows that end
  // within one quantum end together and share one re-solve of the rates. Each flow ends at most one
  // quantum late (never early); a speed/precision knob for large all-to-alls (docs/performance.md).
  Time flow_quantum = Time::zero();
  // Not owned; when set, every link's use over time is recorded into it (sized for the run's links).
  LinkUseTimeline* link_use = nullptr;
};

struct TaskTiming {
  Time ready;  // when its dependencies were met
  Time start;  // when it started (compute: when its stream took it)
  Time end;
};

struct RunResult {
  Time makespan;                  // end of the last task
  std::vector<TaskTiming> tasks;  // indexed by TaskId
  std::vector<double> link_bytes;  // bytes carried per LinkId
  std::vector<Time> link_busy;     // time each link carried at least one flow
  std::uint64_t events = 0;        // events processed (outdated completions excluded)
};

// Runs `graph` with any flow model, fresh (no active flows). The graph must have no comm tasks.
[[nodiscard]] RunResult run(const TaskGraph& graph, FlowModel& flows, const RunOptions& options = {});
// Runs `graph` with comm tasks timed by `comm` (its flows, if any, on `flows`).
[[nodiscard]] RunResult run(const TaskGraph& graph, FlowModel& flows, CommModel& comm, const RunOptions& options = {});

}  // namespace deepsim
