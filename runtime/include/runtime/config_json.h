// The executor config as JSON for the measured run: model, parallel and training with the scenario
// schema's key names (docs/scenario.md), so calibrate/ can rebuild the scenario it measured, plus exec.
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/config.h"

namespace deepsim::runtime {

[[nodiscard]] nlohmann::json config_to_json(const ExecConfig& c);
// The scenario as YAML for the measured run's `config`: the loaded text, or (configs built in code) a
// scenario written from the fields, with training.tokens = one step's tokens times exec.steps.
[[nodiscard]] std::string scenario_yaml(const ExecConfig& c);

}  // namespace deepsim::runtime
