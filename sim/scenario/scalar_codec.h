// Reading one YAML scalar as a schema Field's value (strictly: "sixteen" is not an integer, 1e30 GPUs is
// out of range, nan is not a number) and writing it back so that reading it again gives the same value.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "sim/core/error.h"
#include "sim/scenario/schema.h"

namespace deepsim {

// Parses `node` for `f`, checks type and range; throws InputError at `where` with key f.path.
[[nodiscard]] FieldValue parse_field_value(const Field& f, const YAML::Node& node, const SourcePos& where);

// "14.8T" -> 1.48e13; plain numbers pass through. nullopt when `text` is not a count.
[[nodiscard]] std::optional<double> parse_count(std::string_view text);

// The YAML text for a value: shortest exact numbers, double-quoted strings.
[[nodiscard]] std::string format_field_value(const Field& f, const FieldValue& v);
// A count as a file would say it: "469B", "14.8T", or the plain shortest number.
[[nodiscard]] std::string count_text(double v);
// Shortest decimal that reads back to the same double ("0.8", "989.4", "1e+18").
[[nodiscard]] std::string shortest(double v);

}  // namespace deepsim
