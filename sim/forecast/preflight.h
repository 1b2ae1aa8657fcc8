// preflight: every check `deepsim run` makes on a scenario before it simulates, without simulating, so
// that `deepsim validate` refuses exactly what `run` would refuse (and `batch` records it before any
// engine time is spent). The scenario loader checks keys, types, ranges and cross-field rules; this adds
// what needs the other modules: the placement of ranks on GPUs (each rule named), the pipeline
// schedule, the calibration profile (found, parsed, measured on this GPU), the static analysis (stages,
// memory), the routing trace (read, and its experts against the model), the fabric (built as the step
// builds it), and the whole-run forecast's phases (each phase's plan
// loaded, its step scenario checked the same way) and failure model. Every error is an InputError at the
// key to blame (file:line:column from Scenario::pos_of).
#pragma once

#include "sim/scenario/scenario.h"

namespace deepsim {

// Throws InputError on the first problem; returns normally when `run` would get as far as the engine.
void preflight(const Scenario& s);

// The same checks for one step's scenario (no phases, no failures): what simulate_step needs.
void preflight_step(const Scenario& s);

}  // namespace deepsim
