// trace.json of a simulated step: the step graph's task info, the memory model's per-rank figures and
// the link use the engine recorded (StepOptions::record_link_use) handed to the trace writer
// (chrome_trace.h). Without a recorded link use the trace has no utilisation counters (a step's
// communication is comm tasks, not flow tasks).
#pragma once

#include <ostream>

#include "sim/step/simulate.h"

namespace deepsim {

void write_step_trace(std::ostream& out, const StepSimulation& sim, int max_gpus = 1 << 30);

}  // namespace deepsim
