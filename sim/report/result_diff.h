// `deepsim diff A B`: two results (result.json files or run folders holding one) side by side: which
// inputs changed (the resolved scenarios, key by key) and how each headline figure, each step phase and
// each run phase moved (docs/cli.md, "Comparing two runs").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deepsim {

struct InputChange {
  std::string key;            // "parallel.pp"
  std::optional<std::string> a, b;  // nullopt: absent on that side
};

struct FigureChange {
  std::string group;          // "headline", "step phase", "run phase <key>"
  std::string name;           // "step time"
  std::string unit;           // "s", "days", "USD", "GPU-hours", ...
  std::optional<double> a, b;
  [[nodiscard]] std::optional<double> delta() const;
  [[nodiscard]] std::optional<double> relative() const;  // (b - a) / a; nullopt when a is 0 or absent
};

struct ResultDiff {
  std::string a_file, b_file;
  std::string a_name, b_name;
  std::vector<InputChange> inputs;     // only the keys that differ
  std::vector<FigureChange> figures;   // every figure either side has
};

// Reads `path` (a result.json, or a folder with one). Throws InputError naming the file when it is
// missing, not JSON, or not a deepsim result.
[[nodiscard]] nlohmann::json read_result(const std::string& path, std::string& file_used);

[[nodiscard]] ResultDiff diff_results(const nlohmann::json& a, const nlohmann::json& b);
[[nodiscard]] std::string format_diff(const ResultDiff& d);
[[nodiscard]] nlohmann::ordered_json diff_json(const ResultDiff& d);

}  // namespace deepsim
