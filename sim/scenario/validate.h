// Cross-field checks of a scenario, run once the whole file is read: GPU counts, parallel degrees,
// batch arithmetic, schedule constraints, model shape. Each failure is an InputError at the key most to
// blame (through the SourceMap), with a message that shows the arithmetic.
#pragma once

#include "sim/scenario/scenario.h"
#include "sim/scenario/source_map.h"

namespace deepsim {

// Sizes past which a scenario cannot be simulated in reasonable memory and time on one machine; refused
// with the limit named (docs/scenario.md, "Limits"). The fabric is built link by link for every GPU,
// and the step's task graph holds every (stage, micro-batch, chunk) instruction of one pipeline.
inline constexpr long long kMaxClusterGpus = 1LL << 17;          // 131,072 GPUs
inline constexpr long long kMaxPipelineInstructions = 1LL << 18;  // pp x micro_batches x virtual_stages

void validate_scenario(const Scenario& s, const SourceMap& sources);

}  // namespace deepsim
