// `--set key.path=value` overrides, applied to the YAML tree before validation, so an override is checked
// exactly like the same key written in the file. The value is a YAML scalar or flow node ("8", "H100",
// "{heads: 64}"); a mapping merges into the section it names, anything else replaces.
#pragma once

#include <yaml-cpp/yaml.h>

#include <span>
#include <string>

#include "sim/scenario/source_map.h"

namespace deepsim {

// Throws InputError at "--set <override>" for a malformed override or an unknown key path (did-you-mean).
void apply_overrides(YAML::Node& root, std::span<const std::string> overrides, SourceMap& sources);

}  // namespace deepsim
