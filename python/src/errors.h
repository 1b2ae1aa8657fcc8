// The Python exceptions of the module: deepsim.InputError (a ValueError carrying file, line, column, key,
// message and hint, exactly what the CLI prints as file:line:column: key: message (hint: ...)) and
// deepsim.Cancelled (a run stopped by its progress callback).
#pragma once

#include <pybind11/pybind11.h>

namespace deepsim::py {

void bind_errors(pybind11::module_& m);

}  // namespace deepsim::py
