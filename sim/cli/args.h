// Command-line parsing for `deepsim`: each command declares its options (every declared option does
// something; unknown ones are errors with a did-you-mean hint, exit code 2).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace deepsim::cli {

struct OptionSpec {
  std::string name;         // long name without dashes, e.g. "out"
  std::string value_name;   // "" for a flag without a value
  bool repeatable = false;
  std::string help;
};

struct CommandSpec {
  std::string name;
  std::string positional;   // e.g. "SCENARIO"
  int min_positional = 0;
  int max_positional = 0;
  std::string summary;
  std::vector<OptionSpec> options;
};

class Args {
 public:
  [[nodiscard]] bool has(const std::string& name) const { return values_.count(name) > 0; }
  [[nodiscard]] std::optional<std::string> get(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> all(const std::string& name) const;
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend Args parse_args(const CommandSpec& spec, const std::vector<std::string>& argv);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// Usage errors (bad flags, missing arguments) are InputErrors with key "command line".
[[nodiscard]] Args parse_args(const CommandSpec& spec, const std::vector<std::string>& argv);
[[nodiscard]] std::string command_help(const CommandSpec& spec);

}  // namespace deepsim::cli
