#include "sim/api/scenario_doc.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"
#include "sim/forecast/preflight.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/overrides.h"
#include "sim/scenario/source_map.h"

namespace deepsim::api {
namespace {

std::string key_of(const std::string& override_text) { return override_text.substr(0, override_text.find('=')); }

Diagnostic diagnostic_of(const InputError& e) {
  return Diagnostic{e.pos().file, e.pos().line, e.pos().column, e.key(), e.message(), e.hint(), e.what()};
}

}  // namespace

ScenarioDoc read_scenario_doc(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path, 0, 0}, "", "cannot read the scenario file", "check the path");
  std::ostringstream text;
  text << in.rdbuf();
  return ScenarioDoc{text.str(), path, {}};
}

void set_override(ScenarioDoc& doc, const std::string& key, const std::string& value) {
  std::erase_if(doc.overrides, [&](const std::string& o) { return key_of(o) == key; });
  if (!value.empty()) doc.overrides.push_back(key + "=" + value);
}

std::optional<std::string> override_of(const ScenarioDoc& doc, std::string_view key) {
  for (const auto& o : doc.overrides)
    if (key_of(o) == key) return o.substr(o.find('=') + 1);
  return std::nullopt;
}

std::optional<std::string> written_value(const ScenarioDoc& doc, std::string_view key) {
  if (auto o = override_of(doc, key)) return o;
  try {
    YAML::Node node = YAML::Load(doc.yaml);
    for (std::size_t start = 0; start <= key.size();) {
      const std::size_t dot = std::min(key.find('.', start), key.size());
      if (!node.IsMap()) return std::nullopt;
      node = node[std::string(key.substr(start, dot - start))];
      if (!node) return std::nullopt;
      start = dot + 1;
    }
    if (!node.IsScalar()) return std::nullopt;
    return node.Scalar();
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

Scenario load(const ScenarioDoc& doc) { return load_scenario_text(doc.yaml, doc.display_name, doc.overrides); }

std::optional<Diagnostic> validate(const ScenarioDoc& doc) {
  try {
    preflight(load(doc));  // what `deepsim validate` checks: placement, schedule, profile, phases, ...
    return std::nullopt;
  } catch (const InputError& e) {
    return diagnostic_of(e);
  } catch (const std::exception& e) {
    // Anything else from the loader is still about this input: report it without a position.
    return Diagnostic{doc.display_name, 0, 0, "", e.what(), "", doc.display_name + ": " + e.what()};
  }
}

std::string merged_yaml(const ScenarioDoc& doc) {
  (void)load(doc);  // the same errors as load(), with positions, before anything is written
  YAML::Node root = YAML::Load(doc.yaml);
  SourceMap sources(doc.display_name);
  apply_overrides(root, doc.overrides, sources);
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace deepsim::api
