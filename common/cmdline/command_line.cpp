#include "cmdline/command_line.h"

#include <algorithm>
#include <sstream>

#include "cmdline/number_arg.h"
#include "cmdline/suggest.h"

namespace deepsim::cmdline {

UsageError::UsageError(std::string where, std::string message, std::string hint)
    : std::runtime_error(where + ": " + message + (hint.empty() ? "" : " (hint: " + hint + ")")),
      where_(std::move(where)),
      message_(std::move(message)),
      hint_(std::move(hint)) {}

std::string format_usage_error(const UsageError& e) { return std::string("error: ") + e.what(); }

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<long long> Args::get_int(const std::string& name, long long lo, long long hi) const {
  const auto v = get(name);
  if (!v) return std::nullopt;
  return parse_int(*v, where_ + " --" + name, lo, hi);
}

std::optional<double> Args::get_double(const std::string& name, double lo, double hi) const {
  const auto v = get(name);
  if (!v) return std::nullopt;
  return parse_double(*v, where_ + " --" + name, lo, hi);
}

namespace {

std::string where_of(const std::string& program, const CommandSpec& spec) {
  return spec.name.empty() ? program : program + " " + spec.name;
}

[[noreturn]] void usage_error(const std::string& where, const std::string& msg, const std::string& hint = {}) {
  throw UsageError(where, msg, hint.empty() ? "see '" + where + " --help'" : hint);
}

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
  for (const auto& o : spec.options)
    if (o.name == name) return &o;
  return nullptr;
}

const OptionSpec* find_short_option(const CommandSpec& spec, char c) {
  for (const auto& o : spec.options)
    if (o.short_name != 0 && o.short_name == c) return &o;
  return nullptr;
}

}  // namespace

Args parse_args(const std::string& program, const CommandSpec& spec, std::span<const std::string> argv) {
  Args args;
  args.where_ = where_of(program, spec);
  std::vector<std::string> names;
  for (const auto& o : spec.options) names.push_back("--" + o.name);
  bool options_done = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (!options_done && a == "--") {
      options_done = true;
    } else if (!options_done && a.size() > 2 && a.starts_with("--")) {
      std::string name = a.substr(2), value;
      const auto eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const OptionSpec* opt = find_option(spec, name);
      if (opt == nullptr) {
        const std::string hint = suggestion_hint("--" + name, names);
        usage_error(args.where_, "unknown option '--" + name + "'", hint.empty() ? "this command takes no options" : hint);
      }
      if (!opt->value_name.empty() && !inline_value) {
        if (i + 1 >= argv.size()) usage_error(args.where_, "option '--" + name + "' needs a value " + opt->value_name);
        value = argv[++i];
      } else if (opt->value_name.empty() && inline_value) {
        usage_error(args.where_, "option '--" + name + "' takes no value");
      }
      // An empty value is never meant (`--out ''` would write into the current folder by accident).
      if (!opt->value_name.empty() && value.empty())
        usage_error(args.where_, "option '--" + name + "' needs a non-empty value " + opt->value_name);
      auto& slot = args.values_[name];
      if (!slot.empty() && !opt->repeatable) usage_error(args.where_, "option '--" + name + "' given twice");
      slot.push_back(value);
    } else if (const OptionSpec* short_opt =
                   !options_done && a.size() > 1 && a[0] == '-' && a[1] != '-' ? find_short_option(spec, a[1]) : nullptr;
               short_opt != nullptr) {
      // `-b 8` or `-b8` (getopt's forms, as nccl-tests takes them).
      const OptionSpec& o = *short_opt;
      const OptionSpec* opt = &o;
      std::string value;
      if (opt->value_name.empty()) {
        if (a.size() > 2) usage_error(args.where_, "option '-" + std::string(1, a[1]) + "' takes no value");
      } else if (a.size() > 2) {
        value = a.substr(2);
      } else {
        if (i + 1 >= argv.size()) usage_error(args.where_, "option '" + a + "' needs a value " + opt->value_name);
        value = argv[++i];
      }
      if (!opt->value_name.empty() && value.empty())
        usage_error(args.where_, "option '" + a.substr(0, 2) + "' needs a non-empty value " + opt->value_name);
      auto& slot = args.values_[opt->name];
      if (!slot.empty() && !opt->repeatable)
        usage_error(args.where_, "option '--" + opt->name + "' (-" + std::string(1, a[1]) + ") given twice");
      slot.push_back(value);
    } else if (!options_done && a.size() > 1 && a[0] == '-' && a != "-") {
      usage_error(args.where_, "unknown option '" + a + "'", suggestion_hint(a, names));
    } else {
      if (a.empty()) usage_error(args.where_, "empty argument where " + spec.positional + " was expected");
      args.positional_.push_back(a);
    }
  }
  const int n = static_cast<int>(args.positional_.size());
  if (n < spec.min_positional) usage_error(args.where_, "missing argument " + spec.positional);
  if (n > spec.max_positional)
    usage_error(args.where_, "unexpected argument '" + args.positional_[static_cast<std::size_t>(spec.max_positional)] + "'");
  return args;
}

namespace {

void print_option(std::ostream& out, const std::string& flag, const std::string& help) {
  constexpr std::size_t kColumn = 28;  // where the help text starts
  std::string left = "  " + flag;
  if (left.size() < kColumn) left.resize(kColumn, ' ');
  else left += "\n" + std::string(kColumn, ' ');
  out << left << ' ' << help << "\n";
}

void print_options(std::ostream& out, const CommandSpec& spec) {
  out << "\noptions:\n";
  for (const auto& o : spec.options)
    print_option(out, (o.short_name != 0 ? std::string("-") + o.short_name + ", " : std::string()) + "--" + o.name +
                          (o.value_name.empty() ? "" : " " + o.value_name),
                 o.help + (o.repeatable ? " (repeatable)" : ""));
  print_option(out, "--help", "this help");
}

}  // namespace

std::string command_help(const std::string& program, const CommandSpec& spec) {
  std::ostringstream out;
  out << "usage: " << where_of(program, spec);
  if (!spec.positional.empty()) out << ' ' << spec.positional;
  if (!spec.options.empty()) out << " [options]";
  out << "\n\n" << spec.summary << "\n";
  print_options(out, spec);
  if (!spec.details.empty()) out << "\n" << spec.details << (spec.details.ends_with('\n') ? "" : "\n");
  return out.str();
}

std::string program_help(const Program& p) {
  std::ostringstream out;
  out << p.name << ' ' << p.version << " - " << p.summary << "\n\n";
  if (p.commands.size() == 1 && p.commands[0].spec.name.empty()) {
    out << command_help(p.name, p.commands[0].spec);
    print_option(out, "--version", "print the version and exit");
  } else {
    out << "usage: " << p.name << " COMMAND [arguments] [options]\n\ncommands:\n";
    for (const auto& c : p.commands) {
      std::string name = "  " + c.spec.name;
      if (name.size() < 16) name.resize(16, ' ');
      else name += ' ';
      out << name << c.spec.summary << '\n';
    }
    out << "\n'" << p.name << " COMMAND --help' (or '" << p.name << " help COMMAND') shows a command's options;\n'"
        << p.name << " --version' prints the version.\n";
  }
  if (!p.footer.empty()) out << p.footer << (p.footer.ends_with('\n') ? "" : "\n");
  return out.str();
}

namespace {

bool is_help(const std::string& a) { return a == "--help" || a == "-h"; }

const Command* find_command(const Program& p, const std::string& name) {
  for (const auto& c : p.commands)
    if (c.spec.name == name) return &c;
  return nullptr;
}

}  // namespace

int run_program(const Program& p, std::span<const std::string> argv, std::ostream& out, int no_args_code) {
  const bool single = p.commands.size() == 1 && p.commands[0].spec.name.empty();
  if (argv.empty() && (!single || p.commands[0].spec.min_positional > 0)) {
    out << program_help(p);
    return no_args_code;
  }
  // Help and version come before everything else, so they work without a scenario, a GPU or a config;
  // options after `--` are positionals.
  const auto opts_end = std::find(argv.begin(), argv.end(), std::string("--"));
  const std::span<const std::string> opts(argv.begin(), opts_end);
  if (single) {
    if (std::any_of(opts.begin(), opts.end(), is_help)) {
      out << program_help(p);
      return 0;
    }
    if (std::find(opts.begin(), opts.end(), "--version") != opts.end()) {
      out << p.name << ' ' << p.version << '\n';
      return 0;
    }
    return p.commands[0].run(parse_args(p.name, p.commands[0].spec, argv));
  }
  const std::string& first = argv[0];
  if (is_help(first) || (first == "help" && argv.size() == 1)) {
    out << program_help(p);
    return 0;
  }
  if (first == "--version" || first == "version") {
    out << p.name << ' ' << p.version << '\n';
    return 0;
  }
  std::vector<std::string> names;
  for (const auto& c : p.commands) names.push_back(c.spec.name);
  const bool help_cmd = first == "help";
  const std::string& name = help_cmd ? argv[1] : first;
  const Command* cmd = find_command(p, name);
  if (cmd == nullptr) {
    if (name.starts_with("-"))
      throw UsageError(p.name, "unknown option '" + name + "' before the command", "see '" + p.name + " --help'");
    throw UsageError(p.name, "unknown command '" + name + "'", suggestion_hint(name, names));
  }
  const std::span<const std::string> rest = argv.subspan(help_cmd ? 2 : 1);
  const auto rest_end = std::find(rest.begin(), rest.end(), std::string("--"));
  if (help_cmd || std::any_of(rest.begin(), rest_end, is_help)) {
    out << command_help(p.name, cmd->spec);
    return 0;
  }
  if (find_option(cmd->spec, "version") == nullptr && std::find(rest.begin(), rest_end, "--version") != rest_end) {
    out << p.name << ' ' << p.version << '\n';
    return 0;
  }
  return cmd->run(parse_args(p.name, cmd->spec, rest));
}

}  // namespace deepsim::cmdline
