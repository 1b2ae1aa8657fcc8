// deepsim.Scenario: a loaded scenario together with the document it came from (sim/api/scenario_doc.h):
// the YAML text, the name errors cite and the overrides, so that a new set of overrides reloads from the
// same text and a sweep runs from the same base. Loading validates; errors raise deepsim.InputError.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "sim/api/scenario_doc.h"
#include "sim/scenario/scenario.h"

namespace deepsim::py {

struct PyScenario {
  api::ScenarioDoc doc;
  Scenario scenario;
};

// A Python override value as the YAML scalar `--set` takes: True -> "true", 128 -> "128", "H800" as is.
[[nodiscard]] std::string yaml_scalar(const pybind11::handle& value);
// Loads doc with `overrides` (a dict or None) appended. Throws InputError.
[[nodiscard]] PyScenario load_doc(api::ScenarioDoc doc, const pybind11::object& overrides);

void bind_scenario(pybind11::module_& m);

}  // namespace deepsim::py
