// trace.json of a simulated step: the step graph's task info and the memory model's per-rank figures
// handed to the trace writer (chrome_trace.h).
#pragma once

#include <ostream>

#include "sim/step/simulate.h"

namespace deepsim {

void write_step_trace(std::ostream& out, const StepSimulation& sim, int max_gpus = 1 << 30);

}  // namespace deepsim
