// The executor config as JSON for the measured run: model, parallel and training with the scenario
// schema's key names (docs/scenario.md), so calibrate/ can rebuild the scenario it measured, plus exec.
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/config.h"

namespace deepsim::runtime {

[[nodiscard]] nlohmann::json config_to_json(const ExecConfig& c);

}  // namespace deepsim::runtime
