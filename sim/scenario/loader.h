// Loading scenarios (schema v1, docs/scenario.md): YAML file or text -> `--set` overrides -> key and type
// checks against the schema table (schema.h) -> cross-field checks (validate.h) -> a resolved Scenario.
// Every problem in the input is a deepsim::InputError naming file:line:column, the key path and a hint.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "sim/scenario/scenario.h"

namespace deepsim {

// `overrides` are "key.path=value" strings (the CLI's --set), applied before validation.
[[nodiscard]] Scenario load_scenario_file(const std::string& path, std::span<const std::string> overrides = {});
// `display_name` stands in for the file name in errors and is the default scenario name's source.
[[nodiscard]] Scenario load_scenario_text(std::string_view yaml, const std::string& display_name,
                                          std::span<const std::string> overrides = {});

// The fully resolved scenario as YAML: every key of the schema in schema order, the model spelled out in
// full (no preset), the GPU and NIC with every catalog figure as an override. Loading it gives the same
// Scenario, and writing that again gives the same bytes.
[[nodiscard]] std::string to_yaml(const Scenario& s);

}  // namespace deepsim
