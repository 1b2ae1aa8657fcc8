// Helpers for the scenario tests: the shipped files, edits of the default scenario, and catching the
// InputError a bad input must raise.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/scenario/loader.h"

namespace deepsim::test {

inline std::string source_path(const std::string& relative) { return std::string(DEEPSIM_SOURCE_DIR) + "/" + relative; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string default_yaml() { return read_text(source_path("scenarios/default.yaml")); }

// 1-based line of the first line containing `needle`; 0 if none (the test then fails on the compare).
inline int line_of(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos) return n;
  ADD_FAILURE() << "no line contains '" << needle << "'";
  return 0;
}

// `text` with the one line containing `needle` replaced by `replacement` (indentation kept by the caller).
inline std::string replace_line(const std::string& text, const std::string& needle, const std::string& replacement) {
  std::istringstream in(text);
  std::string line, out;
  int hits = 0;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) {
      line = replacement;
      ++hits;
    }
    out += line + "\n";
  }
  EXPECT_EQ(hits, 1) << "'" << needle << "' should occur on exactly one line";
  return out;
}

// The InputError that loading `text` raises; fails the test if it loads.
inline InputError load_error(const std::string& text, std::vector<std::string> overrides = {},
                             const std::string& name = "bad.yaml") {
  try {
    (void)load_scenario_text(text, name, overrides);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an InputError";
  return InputError({}, "", "");
}

}  // namespace deepsim::test
