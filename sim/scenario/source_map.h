// Where each key of a scenario came from: a file position, or the `--set key=value` that set it. Errors
// found after the tree is read (type, range, cross-field) use it to point at the key most to blame; a
// key that is absent (a default, a preset's value) is blamed on its nearest present ancestor.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <string_view>

#include "sim/core/error.h"

namespace deepsim {

class SourceMap {
 public:
  explicit SourceMap(std::string file) : file_(std::move(file)) {}

  [[nodiscard]] SourcePos from_mark(const YAML::Mark& mark) const;
  void record_file_key(const std::string& path, const YAML::Mark& key, const YAML::Mark& value);
  // `origin` is the whole override, "parallel.pp=8"; it is reported as the file: "--set parallel.pp=8".
  void record_override(const std::string& path, const std::string& origin);

  // Position of the key `path` (its line, for blame), falling back to the nearest recorded ancestor and
  // then to the file itself.
  [[nodiscard]] SourcePos key_pos(std::string_view path) const;
  // Position of the value of `path` (its column, for type errors); same fallbacks.
  [[nodiscard]] SourcePos value_pos(std::string_view path) const;
  [[nodiscard]] const std::string& file() const { return file_; }

 private:
  [[nodiscard]] SourcePos lookup(std::string_view path, bool value) const;

  std::string file_;
  std::map<std::string, std::pair<SourcePos, SourcePos>, std::less<>> file_keys_;  // key, value
  std::map<std::string, std::string, std::less<>> overrides_;
};

}  // namespace deepsim
