#include "sim/scenario/loader.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/core/suggest.h"
#include "sim/model/presets.h"
#include "sim/scenario/overrides.h"
#include "sim/scenario/scalar_codec.h"
#include "sim/scenario/schema.h"
#include "sim/scenario/source_map.h"
#include "sim/scenario/validate.h"
#include "sim/scenario/yaml_document.h"

namespace deepsim {
namespace {

constexpr const char* kStartHint = "a scenario starts with 'schema: 1'; see scenarios/default.yaml";

YAML::Node parse_document(std::string_view text, const SourceMap& sources) {
  const YAML::Node doc = load_single_yaml_document(text, sources);  // guards yaml-cpp's LoadAll loop
  if (doc.IsNull()) throw InputError({sources.file(), 0, 0}, "", "the file is empty", kStartHint);
  if (!doc.IsMap())
    throw InputError(sources.from_mark(doc.Mark()), "", "expected a mapping of sections (schema, cluster, model, ...)",
                     kStartHint);
  return doc;
}

// yaml-cpp marks an empty value ("nodes:" with nothing after it) at the next token, often the next line,
// so an error about it pointed at the wrong line. An empty value is blamed on its key's own position.
YAML::Mark value_mark(const YAML::Node& key, const YAML::Node& value) {
  if (value.IsNull() && (value.Mark().is_null() || value.Mark().line != key.Mark().line)) return key.Mark();
  return value.Mark();
}

// The version is checked before anything else: a file for another schema fails on that, not on the
// first key this version does not know.
void check_schema_version(const YAML::Node& root, SourceMap& sources) {
  for (const auto& kv : root)
    if (kv.first.IsScalar() && kv.first.Scalar() == "schema")
      sources.record_file_key("schema", kv.first.Mark(), value_mark(kv.first, kv.second));
  const YAML::Node v = root["schema"];
  if (!v.IsDefined())
    throw InputError(sources.key_pos(""), "schema", "missing the schema version", "add 'schema: 1' at the top");
  if (!v.IsScalar() || v.Scalar() != "1")
    throw InputError(sources.value_pos("schema"), "schema",
                     "schema " + (v.IsScalar() ? "'" + v.Scalar() + "'" : std::string("value")) + " is not supported",
                     "this deepsim reads schema 1");
}

std::string joined_keys(const std::string& section) {
  std::string s;
  for (const auto& k : child_keys(section)) s += (s.empty() ? "" : ", ") + k;
  return s;
}

// Walks the tree against the schema: unknown and repeated keys, sections that are not mappings. Records
// every key's position on the way.
void check_keys(const YAML::Node& map, const std::string& section, SourceMap& sources) {
  const auto allowed = child_keys(section);
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    const std::string path = section.empty() ? key : section + "." + key;
    sources.record_file_key(path, kv.first.Mark(), value_mark(kv.first, kv.second));
    if (!kv.first.IsScalar())
      throw InputError(sources.from_mark(kv.first.Mark()), section, "a key must be a plain name", "");
    if (std::ranges::find(allowed, key) == allowed.end())
      throw InputError(sources.key_pos(path), path,
                       "unknown key '" + key + "'" + (section.empty() ? "" : " in '" + section + "'"),
                       suggestion_hint(key, allowed));
    if (!seen.insert(key).second)
      throw InputError(sources.key_pos(path), path, "key '" + key + "' appears twice", "keep one of them");
    if (!is_section(path)) continue;
    if (kv.second.IsMap())
      check_keys(kv.second, path, sources);
    else if (!kv.second.IsNull())
      throw InputError(sources.value_pos(path), path, "expected a section (a mapping of keys), got a value",
                       "allowed keys: " + joined_keys(path));
  }
}

// The node at a dotted path, or an undefined node. Read-only: never inserts.
YAML::Node find_node(const YAML::Node& root, std::string_view path) {
  YAML::Node cur = root;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    if (!cur.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& c = cur;
    const YAML::Node next = c[std::string(path.substr(start, dot == std::string_view::npos ? dot : dot - start))];
    if (!next.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);  // a missing key reads as a zombie
    cur.reset(next);
    if (dot == std::string_view::npos) return cur;
    start = dot + 1;
  }
}

std::string parent_of(std::string_view path) {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string() : std::string(path.substr(0, dot));
}

[[noreturn]] void missing(const Field& f, const SourceMap& sources) {
  const std::string key(f.path.substr(f.path.rfind('.') + 1));
  std::string hint = "add '" + key + ":' (" + std::string(f.doc) + ")";
  if (f.need == Need::kUnlessPreset) {
    hint += ", or start from a preset: model.preset, one of ";
    for (const auto& n : model_preset_names()) hint += n + (n == model_preset_names().back() ? "" : ", ");
  }
  const std::string parent = parent_of(f.path);
  throw InputError(sources.key_pos(parent), std::string(f.path),
                   "missing required key '" + key + "'" + (parent.empty() ? "" : " in '" + parent + "'"), hint);
}

Scenario read_fields(const YAML::Node& root, const std::string& display_name, const SourceMap& sources) {
  Scenario s;
  s.source_file = display_name;
  s.name = std::filesystem::path(display_name).stem().string();
  const bool has_preset = find_node(root, "model.preset").IsDefined();
  for (const auto& f : scenario_schema()) {
    const YAML::Node node = find_node(root, f.path);
    if (node.IsDefined()) {
      f.set(s, parse_field_value(f, node, sources.value_pos(f.path)));
    } else if (f.need == Need::kRequired || (f.need == Need::kUnlessPreset && !has_preset)) {
      missing(f, sources);
    } else if (!f.fallback.empty()) {
      f.set(s, parse_field_value(f, YAML::Node(std::string(f.fallback)), sources.key_pos(f.path)));
    }
  }
  if (s.model.name.empty()) s.model.name = "custom";
  return s;
}

// A relative moe.trace_path names a file beside the scenario, not in the working directory: it is made
// absolute here, so the same scenario reached by a relative or an absolute path (or run from another
// folder) reads the same file and resolves to the same YAML.
std::string beside_scenario(const std::string& display_name, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::absolute(std::filesystem::path(display_name).parent_path() / path, ec);
  return ec ? path : p.lexically_normal().string();
}

Scenario load(std::string_view text, const std::string& display_name, std::span<const std::string> overrides) {
  SourceMap sources(display_name);
  YAML::Node root = parse_document(text, sources);
  apply_overrides(root, overrides, sources);
  check_schema_version(root, sources);
  check_keys(root, "", sources);
  Scenario s = read_fields(root, display_name, sources);
  s.moe.trace_path = beside_scenario(display_name, s.moe.trace_path);
  validate_scenario(s, sources);
  s.sources = std::make_shared<const SourceMap>(std::move(sources));
  return s;
}

}  // namespace

Scenario load_scenario_text(std::string_view yaml, const std::string& display_name,
                            std::span<const std::string> overrides) {
  return load(yaml, display_name, overrides);
}

Scenario load_scenario_file(const std::string& path, std::span<const std::string> overrides) {
  return load(read_input_file(path), path, overrides);
}

std::string to_yaml(const Scenario& s) {
  std::ostringstream out;
  out << "# deepsim scenario, fully resolved (schema v1; docs/scenario.md)\n";
  std::vector<std::string> open;  // the sections written so far on the current path
  for (const auto& f : scenario_schema()) {
    const auto value = f.get(s);
    if (!value) continue;
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
      const std::size_t dot = f.path.find('.', start);
      parts.emplace_back(f.path.substr(start, dot == std::string_view::npos ? dot : dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    std::size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
    open.resize(common);
    for (; open.size() + 1 < parts.size(); open.push_back(parts[open.size()]))
      out << std::string(2 * open.size(), ' ') << parts[open.size()] << ":\n";
    out << std::string(2 * open.size(), ' ') << parts.back() << ": " << format_field_value(f, *value) << "\n";
  }
  return out.str();
}

}  // namespace deepsim
