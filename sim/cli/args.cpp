#include "sim/cli/args.h"

#include <sstream>

#include "sim/core/error.h"
#include "sim/core/suggest.h"

namespace deepsim::cli {

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {
[[noreturn]] void usage_error(const CommandSpec& spec, const std::string& msg, const std::string& hint = {}) {
  throw InputError({}, "deepsim " + spec.name, msg, hint.empty() ? "see 'deepsim " + spec.name + " --help'" : hint);
}
}  // namespace

Args parse_args(const CommandSpec& spec, const std::vector<std::string>& argv) {
  Args args;
  std::vector<std::string> names;
  for (const auto& o : spec.options) names.push_back("--" + o.name);
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      const auto eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const OptionSpec* opt = nullptr;
      for (const auto& o : spec.options)
        if (o.name == name) opt = &o;
      if (opt == nullptr) usage_error(spec, "unknown option '--" + name + "'", suggestion_hint("--" + name, names));
      if (!opt->value_name.empty() && !inline_value) {
        if (i + 1 >= argv.size()) usage_error(spec, "option '--" + name + "' needs a value " + opt->value_name);
        value = argv[++i];
      } else if (opt->value_name.empty() && inline_value) {
        usage_error(spec, "option '--" + name + "' takes no value");
      }
      auto& slot = args.values_[name];
      if (!slot.empty() && !opt->repeatable) usage_error(spec, "option '--" + name + "' given twice");
      slot.push_back(value);
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      usage_error(spec, "unknown option '" + a + "'", suggestion_hint(a, names));
    } else {
      args.positional_.push_back(a);
    }
  }
  const int n = static_cast<int>(args.positional_.size());
  if (n < spec.min_positional) usage_error(spec, "missing argument " + spec.positional);
  if (n > spec.max_positional) usage_error(spec, "unexpected argument '" + args.positional_[static_cast<std::size_t>(spec.max_positional)] + "'");
  return args;
}

std::string command_help(const CommandSpec& spec) {
  std::ostringstream out;
  out << "usage: deepsim " << spec.name;
  if (!spec.positional.empty()) out << ' ' << spec.positional;
  if (!spec.options.empty()) out << " [options]";
  out << "\n\n" << spec.summary << "\n";
  if (!spec.options.empty()) {
    out << "\noptions:\n";
    for (const auto& o : spec.options) {
      std::string left = "  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
      if (left.size() < 28) left.resize(28, ' ');
      out << left << ' ' << o.help << (o.repeatable ? " (repeatable)" : "") << "\n";
    }
  }
  return out.str();
}

}  // namespace deepsim::cli
