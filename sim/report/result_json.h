// result.json: the machine-readable result of one scenario (schema in docs/result-schema.md, version
// kResultSchema). Keys keep their order, numbers are SI with the unit in the key (time_s, gpu_hours,
// cost_usd), so two runs of the same input give the same bytes.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/report/run_report.h"

namespace deepsim {

inline constexpr int kResultSchema = 1;

[[nodiscard]] nlohmann::ordered_json result_json(const RunReport& r);

}  // namespace deepsim
