#include "sim/report/step_trace.h"

#include <algorithm>

#include "sim/report/chrome_trace.h"

namespace deepsim {

void write_step_trace(std::ostream& out, const StepSimulation& sim, int max_gpus) {
  const std::vector<std::string> cats = step_category_names();
  TraceOptions o{cats, max_gpus};
  if (sim.graph.info.size() == sim.graph.graph.size()) o.info = sim.graph.info;
  if (sim.link_use.channels() > 0) o.link_use = &sim.link_use;
  const auto& stages = sim.analysis.memory.stages;
  // Rank r runs stage r's chunks (the memory model counts DualPipe's mirror stage in that stage).
  for (const RankResult& rr : sim.result.ranks) {
    if (stages.empty()) break;
    const StageMemory& st = stages[std::min(static_cast<std::size_t>(rr.rank), stages.size() - 1)];
    o.memory.push_back({rr.gpu, st.states(), st.activations_per_micro_batch});
  }
  write_chrome_trace(out, sim.graph.graph, sim.run, sim.links, o);
}

}  // namespace deepsim
