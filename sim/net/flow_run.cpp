// run(graph, links): the engine bound to the max-min fair flow model. It lives in deepsim_net, not
// deepsim_engine, because the flow model does (and net already depends on engine); see engine.h.
#include "sim/net/flow_run.h"

#include "sim/net/flow_network.h"

namespace deepsim {

RunResult run(const TaskGraph& graph, const LinkTable& links, const RunOptions& options) {
  FlowNetwork flows(links, options.flow_quantum);
  return run(graph, static_cast<FlowModel&>(flows), options);
}

RunResult run(const TaskGraph& graph, const LinkTable& links, CommModel& comm, const RunOptions& options) {
  FlowNetwork flows(links, options.flow_quantum);
  return run(graph, static_cast<FlowModel&>(flows), comm, options);
}

}  // namespace deepsim
