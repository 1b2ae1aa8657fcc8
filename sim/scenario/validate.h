// Cross-field checks of a scenario, run once the whole file is read: GPU counts, parallel degrees,
// batch arithmetic, schedule constraints, model shape. Each failure is an InputError at the key most to
// blame (through the SourceMap), with a message that shows the arithmetic.
#pragma once

#include "sim/scenario/scenario.h"
#include "sim/scenario/source_map.h"

namespace deepsim {

void validate_scenario(const Scenario& s, const SourceMap& sources);

}  // namespace deepsim
