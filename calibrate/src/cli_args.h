// Command-line options of deepsim-calibrate: "--name value" pairs (repeatable where declared) and
// positionals. Unknown options are InputErrors with a did-you-mean hint (exit 2).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace deepsim::calib {

struct OptionDecl {
  OptionDecl(std::string n, bool value = true, bool repeat = false)  // NOLINT: implicit from a name
      : name(std::move(n)), takes_value(value), repeatable(repeat) {}
  std::string name;  // without dashes
  bool takes_value = true;
  bool repeatable = false;
};

class CliArgs {
 public:
  [[nodiscard]] static CliArgs parse(const std::string& command, std::span<const std::string> argv,
                                     const std::vector<OptionDecl>& decls);
  [[nodiscard]] bool has(const std::string& name) const { return values_.count(name) > 0; }
  [[nodiscard]] std::optional<std::string> get(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> all(const std::string& name) const;
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace deepsim::calib
