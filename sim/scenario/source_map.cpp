#include "sim/scenario/source_map.h"

#include "sim/scenario/scenario.h"

namespace deepsim {

SourcePos SourceMap::from_mark(const YAML::Mark& mark) const {
  if (mark.is_null()) return {file_, 0, 0};
  return {file_, mark.line + 1, mark.column + 1};  // yaml-cpp counts from 0
}

void SourceMap::record_file_key(const std::string& path, const YAML::Mark& key, const YAML::Mark& value) {
  // Sections that --set created have no mark; leaving them out lets blame fall through to an ancestor.
  if (key.is_null()) return;
  file_keys_.insert_or_assign(path, std::pair{from_mark(key), from_mark(value)});
}

void SourceMap::record_override(const std::string& path, const std::string& origin) {
  overrides_.insert_or_assign(path, origin);
}

SourcePos SourceMap::lookup(std::string_view path, bool value) const {
  // An override wins over the file at the same key: the tree's marks for it point into the --set text.
  for (std::string_view p = path; !p.empty();) {
    if (const auto o = overrides_.find(p); o != overrides_.end()) return {"--set " + o->second, 0, 0};
    if (const auto k = file_keys_.find(p); k != file_keys_.end()) return value ? k->second.second : k->second.first;
    const auto dot = p.rfind('.');
    p = dot == std::string_view::npos ? std::string_view() : p.substr(0, dot);
  }
  return {file_, 0, 0};
}

SourcePos SourceMap::key_pos(std::string_view path) const { return lookup(path, false); }
SourcePos SourceMap::value_pos(std::string_view path) const { return lookup(path, true); }

SourcePos Scenario::pos_of(std::string_view key) const {
  if (sources) return sources->key_pos(key);
  return {source_file, 0, 0};
}

}  // namespace deepsim
