// ScenarioDoc: a scenario as a front end edits it: the YAML text as written (file or editor buffer) plus
// `key.path=value` overrides (the CLI's --set, the GUI's form fields). Loading applies the overrides to
// the parsed tree (sim/scenario/overrides.h), so a form field is checked exactly like the same key in the
// file, and its errors name the field's key. The text is parsed once per load; no Scenario is ever
// written back to YAML and re-read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.h"

namespace deepsim::api {

struct ScenarioDoc {
  std::string yaml;                     // the text
  std::string display_name;             // the file name errors name ("scenarios/default.yaml")
  std::vector<std::string> overrides;   // "key.path=value", applied in order after the text
};

// An input error as plain data, for a message beside a field or an underline at a line.
struct Diagnostic {
  std::string file;      // the file, or "--set key=value" when an override is to blame
  int line = 0;          // 1-based; 0 when unknown
  int column = 0;
  std::string key;       // "cluster.nodes"; "" when the error is not about one key
  std::string message;
  std::string hint;
  std::string text;      // "file:line:column: key: message (hint: ...)", as the CLI prints it
  [[nodiscard]] bool from_override() const { return file.rfind("--set ", 0) == 0; }
};

// Reads a file into a doc; throws InputError when the file cannot be read.
[[nodiscard]] ScenarioDoc read_scenario_doc(const std::string& path);
// Sets (or replaces) the override of `key`; an empty value removes it.
void set_override(ScenarioDoc& doc, const std::string& key, const std::string& value);
// The value an override gives `key`, if any.
[[nodiscard]] std::optional<std::string> override_of(const ScenarioDoc& doc, std::string_view key);

// The value the doc gives `key` as written, the override first, else the text's scalar at that path
// ("deepseek-v3" for model.preset): for input-only keys, which a loaded Scenario does not keep. nullopt when
// neither gives one or the text does not parse. Never throws.
[[nodiscard]] std::optional<std::string> written_value(const ScenarioDoc& doc, std::string_view key);

// Throws InputError (file:line:column, key, hint) for a bad scenario.
[[nodiscard]] Scenario load(const ScenarioDoc& doc);
// The first problem of the doc (the loader's and `deepsim validate`'s checks, sim/forecast/preflight.h),
// or nullopt when `run` would get as far as the engine. Never throws.
[[nodiscard]] std::optional<Diagnostic> validate(const ScenarioDoc& doc);
// The doc's YAML tree with the overrides merged in, for saving an edited scenario. Comments of the
// original text are not kept (yaml-cpp does not keep them). Throws InputError like load().
[[nodiscard]] std::string merged_yaml(const ScenarioDoc& doc);

}  // namespace deepsim::api
