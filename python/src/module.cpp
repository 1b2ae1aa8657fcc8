// The extension module deepsim._core; python/deepsim/__init__.py re-exports it as `import deepsim`.
#include <pybind11/pybind11.h>

#include "errors.h"
#include "run.h"
#include "scenario.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "deepsim: a simulator of LLM training on GPU clusters (docs/python.md)";
  deepsim::py::bind_errors(m);
  deepsim::py::bind_scenario(m);
  deepsim::py::bind_runs(m);
}
