// `--json` output of the deepsim commands: one JSON document on stdout, numbers in SI with the unit in
// the key (like result.json, docs/result-schema.md), so scripts and notebooks read them without parsing
// text. Errors still go to stderr with exit 2 (validate --json also reports them on stdout).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/model/model_spec.h"
#include "sim/net/net_report.h"
#include "sim/net/topology.h"
#include "sim/scenario/scenario.h"

namespace deepsim::cli {

[[nodiscard]] nlohmann::ordered_json validate_json(const std::string& path, const Scenario& s);
[[nodiscard]] nlohmann::ordered_json input_error_json(const std::string& path, const InputError& e);
[[nodiscard]] nlohmann::ordered_json model_json(const ModelSpec& m, int seq_len);
[[nodiscard]] nlohmann::ordered_json topology_json(const Topology& t);
[[nodiscard]] nlohmann::ordered_json net_bench_json(const NetBenchTable& table);

}  // namespace deepsim::cli
