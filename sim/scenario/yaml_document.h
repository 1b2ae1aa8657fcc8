// Reading one YAML document, around a yaml-cpp 0.7.0 bug: `YAML::LoadAll` (and any loop over
// `Parser::HandleNextDocument`) never ends on a stray ',' outside a flow collection (a file holding only
// ",", "\n,", "[1],", "- a\n,"): the parser reports an empty document at the comma without consuming it, so
// each call returns the same empty document and memory grows without bound (jbeder/yaml-cpp#1040, fixed
// upstream by PR #1319, not in Debian 12's 0.7.0). We walk the documents ourselves with an event handler
// that stops at the second document, and turn a document that starts where the previous one started
// (no input consumed) into an InputError at the comma.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "sim/scenario/source_map.h"

namespace deepsim {

// Files larger than this are refused before parsing: a scenario or sweep is a few KiB, and yaml-cpp
// holds several copies of the text as nodes (a 100 MB file ran out of memory).
inline constexpr std::size_t kMaxYamlFileBytes = std::size_t{4} << 20;  // 4 MiB

// The single document of `text`, or Null for a file with no document (empty, comments only). Throws
// InputError for invalid YAML (at yaml-cpp's mark), a stray ',' (#1040, at the comma), more than one
// document (at the second one), or text over kMaxYamlFileBytes.
[[nodiscard]] YAML::Node load_single_yaml_document(std::string_view text, const SourceMap& sources);

// The file's bytes, refusing what is not a regular file (a FIFO would block forever), what cannot be read
// and what is larger than `max_bytes`, each as an InputError naming the file and the limit.
[[nodiscard]] std::string read_input_file(const std::string& path, std::size_t max_bytes = kMaxYamlFileBytes);

}  // namespace deepsim
