// deepsim.run_step, run_forecast and run_sweep: the front-end API's runs (sim/api/run.h, sweep_run.h)
// with the GIL released while they compute, a Python progress callback, and plain dict / list results.
#pragma once

#include <pybind11/pybind11.h>

namespace deepsim::py {

void bind_runs(pybind11::module_& m);

}  // namespace deepsim::py
