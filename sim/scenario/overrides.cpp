#include "sim/scenario/overrides.h"

#include <algorithm>
#include <vector>

#include "sim/core/suggest.h"
#include "sim/scenario/schema.h"

namespace deepsim {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Splits and checks `path` against the schema, component by component, so "paralel.pp" is caught here
// with a suggestion rather than later as an unknown top-level key.
std::vector<std::string> check_path(std::string_view path, const SourcePos& where) {
  std::vector<std::string> parts;
  std::string prefix;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    const std::string part(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (part.empty())
      throw InputError(where, std::string(path), "empty key in the path",
                       "write keys as section.key, e.g. parallel.pp");
    if (!prefix.empty() && !is_section(prefix))
      throw InputError(where, prefix, "'" + prefix + "' is a value, not a section", "drop '." + part + "'");
    const auto keys = child_keys(prefix);
    const std::string full = prefix.empty() ? part : prefix + "." + part;
    if (std::ranges::find(keys, part) == keys.end())
      throw InputError(where, full, "unknown key '" + part + "'" + (prefix.empty() ? "" : " in '" + prefix + "'"),
                       suggestion_hint(part, keys));
    parts.push_back(part);
    prefix = full;
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

void record_leaves(const std::string& path, const YAML::Node& value, const std::string& origin, SourceMap& sources) {
  sources.record_override(path, origin);
  if (!value.IsMap()) return;
  for (const auto& kv : value)
    if (kv.first.IsScalar()) record_leaves(path + "." + kv.first.Scalar(), kv.second, origin, sources);
}

// Deep merge of a mapping into a section of the tree: `--set model.attention={heads: 64}` keeps the
// section's other keys.
void merge_into(YAML::Node target, const YAML::Node& value) {
  for (const auto& kv : value) {
    const std::string key = kv.first.Scalar();
    YAML::Node existing = target[key];
    if (kv.second.IsMap() && existing.IsMap())
      merge_into(existing, kv.second);
    else
      target[key] = kv.second;
  }
}

void apply_one(YAML::Node& root, const std::string& text, SourceMap& sources) {
  const std::string origin(trim(text));
  const SourcePos where{"--set " + origin, 0, 0};
  const auto eq = origin.find('=');
  if (eq == std::string::npos)
    throw InputError(where, "", "an override needs the form key.path=value", "e.g. --set parallel.pp=8");
  const std::string path(trim(std::string_view(origin).substr(0, eq)));
  const std::string value_text(trim(std::string_view(origin).substr(eq + 1)));
  const auto parts = check_path(path, where);
  YAML::Node value;
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::Exception& e) {
    throw InputError(where, path, "the value '" + value_text + "' is not YAML: " + e.msg,
                     "quote text with special characters, e.g. name='\"a: b\"'");
  }
  YAML::Node cur = root;  // a handle; reset() moves it without touching the tree
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!cur[parts[i]].IsMap()) cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
    YAML::Node next = cur[parts[i]];
    cur.reset(next);
  }
  YAML::Node target = cur[parts.back()];
  if (value.IsMap() && target.IsMap())
    merge_into(target, value);
  else
    cur[parts.back()] = value;
  record_leaves(path, value, origin, sources);
}

}  // namespace

void apply_overrides(YAML::Node& root, std::span<const std::string> overrides, SourceMap& sources) {
  for (const auto& o : overrides) apply_one(root, o, sources);
}

}  // namespace deepsim
