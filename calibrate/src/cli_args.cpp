#include "calibrate/src/cli_args.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/core/suggest.h"

namespace deepsim::calib {

CliArgs CliArgs::parse(const std::string& command, std::span<const std::string> argv,
                       const std::vector<OptionDecl>& decls) {
  CliArgs a;
  std::vector<std::string> names;
  for (const OptionDecl& d : decls) names.push_back("--" + d.name);
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (!s.starts_with("--")) {
      a.positional_.push_back(s);
      continue;
    }
    const auto it = std::find_if(decls.begin(), decls.end(), [&](const OptionDecl& d) { return "--" + d.name == s; });
    if (it == decls.end()) throw InputError({}, command, "unknown option '" + s + "'", suggestion_hint(s, names));
    if (a.has(it->name) && !it->repeatable) throw InputError({}, command, "option '" + s + "' given twice");
    if (!it->takes_value) {
      a.values_[it->name].emplace_back();
      continue;
    }
    if (i + 1 >= argv.size()) throw InputError({}, command, "option '" + s + "' needs a value");
    a.values_[it->name].push_back(argv[++i]);
  }
  return a;
}

std::optional<std::string> CliArgs::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> CliArgs::all(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace deepsim::calib
