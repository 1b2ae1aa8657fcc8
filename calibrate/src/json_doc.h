// JsonDoc: a parsed JSON input file that can still point at its own lines. nlohmann::json keeps no
// positions, so when a value is missing or wrong the text is scanned once more for the line of that
// JSON pointer ("/kernels/12/start_ns"); errors then read file:line: key: message like everywhere else.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "sim/core/error.h"

namespace deepsim::calib {

struct JsonDoc {
  std::string file;
  std::string text;
  nlohmann::json root;
};

// The whole file; an unreadable file is an InputError.
[[nodiscard]] std::string read_text_file(const std::string& path);
[[nodiscard]] JsonDoc load_json_file(const std::string& path);
// A syntax error is an InputError at the line and column where the parser stopped.
[[nodiscard]] JsonDoc parse_json_text(std::string text, const std::string& display_name);
// 1-based line of the value at `pointer`, or of its nearest ancestor present in the text; 0 if none.
[[nodiscard]] int line_of(const std::string& text, const std::string& pointer);

[[noreturn]] void json_fail(const JsonDoc& doc, const std::string& pointer, const std::string& message,
                            const std::string& hint = {});

// The member `key` of the object at `pointer` converted to T; missing or mistyped is an InputError.
template <class T>
[[nodiscard]] T json_get(const JsonDoc& doc, const nlohmann::json& obj, const std::string& pointer,
                         const std::string& key) {
  const std::string at = pointer + "/" + key;
  if (!obj.is_object() || !obj.contains(key)) json_fail(doc, pointer, "missing key '" + key + "'");
  try {
    return obj.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    json_fail(doc, at, "wrong type: " + obj.at(key).dump());
  }
}

template <class T>
[[nodiscard]] T json_get_or(const JsonDoc& doc, const nlohmann::json& obj, const std::string& pointer,
                            const std::string& key, T fallback) {
  if (!obj.is_object() || !obj.contains(key) || obj.at(key).is_null()) return fallback;
  return json_get<T>(doc, obj, pointer, key);
}

}  // namespace deepsim::calib
