// The scenario's keys as plain data for form editors: type, range, unit, doc and choices straight from
// the schema table (sim/scenario/schema.h), and a loaded scenario's value of a key as YAML text. A form
// built on these shows the same keys, limits and catalog names the loader checks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.h"

namespace deepsim::api {

enum class FieldType { kInteger, kCount, kReal, kSeed, kBool, kText, kChoice };

struct FieldInfo {
  std::string path;                  // "cluster.nodes"
  FieldType type = FieldType::kInteger;
  double min = 0, max = 0;           // inclusive, numeric types
  std::string unit;                  // "GB/s", "sequences", "" for plain counts
  std::string doc;                   // one line
  std::string expected;              // "a positive integer": what a type error would say
  std::vector<std::string> choices;  // kChoice: the allowed names (catalog entries, enum values)
};

// nullopt for a path that is not a key (a section, a typo).
[[nodiscard]] std::optional<FieldInfo> field_info(std::string_view path);
// Every key under `section` ("cluster", "model.moe"), in schema order.
[[nodiscard]] std::vector<FieldInfo> fields_under(std::string_view section);
// The scenario's value of `path` as YAML text ("256", "H800", "14.8T"); nullopt for input-only keys.
[[nodiscard]] std::optional<std::string> field_value(const Scenario& s, std::string_view path);

}  // namespace deepsim::api
