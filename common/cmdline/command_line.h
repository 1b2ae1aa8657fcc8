// The one command-line layer of every deepsim program (docs/cli.md). A program is a list of commands
// (or a single unnamed one); each command declares its options, and every declared option does something.
// What all programs share through it:
//  - `--help`/`-h` and `--version` work everywhere (before any other check, so without a GPU too) and
//    exit 0; `PROG --help` lists the commands, `PROG help CMD` = `PROG CMD --help`;
//  - unknown commands and options are UsageErrors with a did-you-mean hint; the program prints
//    "error: PROG CMD: message (hint: ...)" and exits 2;
//  - values are never empty, numbers are parsed strictly (cmdline/number_arg.h).
// Why our own and not CLI11: the four programs already declared options as data (name, value, help) and
// three of them need the same did-you-mean and exit-code scheme as the scenario loader; a 300-line layer
// keeps that scheme, has no dependency (runtime/ and kernels/ link it without sim/), and the commands that
// other modules register stay plain structs.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace deepsim::cmdline {

// Bad usage of a program. `where` is "PROG CMD" (or "PROG CMD --option"), printed before the message.
class UsageError : public std::runtime_error {
 public:
  UsageError(std::string where, std::string message, std::string hint = {});
  [[nodiscard]] const std::string& where() const { return where_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] const std::string& hint() const { return hint_; }

 private:
  std::string where_, message_, hint_;
};

struct OptionSpec {
  OptionSpec() = default;
  // A constructor so options without a short name stay four-field brace lists, warning-free.
  OptionSpec(std::string name_, std::string value_name_, bool repeatable_, std::string help_, char short_name_ = 0)
      : name(std::move(name_)),
        value_name(std::move(value_name_)),
        repeatable(repeatable_),
        help(std::move(help_)),
        short_name(short_name_) {}
  std::string name;         // long name without dashes, e.g. "out"
  std::string value_name;   // "" for a flag without a value
  bool repeatable = false;
  std::string help;
  char short_name = 0;      // e.g. 'b' for `-b 8` (the nccl-tests spelling); 0: long name only
};

struct CommandSpec {
  CommandSpec() = default;
  // A constructor rather than aggregate init, so commands that leave out `details` build warning-free.
  CommandSpec(std::string name_, std::string positional_, int min_positional_, int max_positional_, std::string summary_,
              std::vector<OptionSpec> options_, std::string details_ = {})
      : name(std::move(name_)),
        positional(std::move(positional_)),
        min_positional(min_positional_),
        max_positional(max_positional_),
        summary(std::move(summary_)),
        options(std::move(options_)),
        details(std::move(details_)) {}
  std::string name;         // "" for a program without commands
  std::string positional;   // e.g. "SCENARIO"
  int min_positional = 0;
  int max_positional = 0;
  std::string summary;
  std::vector<OptionSpec> options;
  std::string details;      // printed after the options in --help (column meanings, examples)
};

class Args {
 public:
  [[nodiscard]] bool has(const std::string& name) const { return values_.count(name) > 0; }
  [[nodiscard]] std::optional<std::string> get(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> all(const std::string& name) const;
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }
  // Strictly parsed numbers in [lo, hi] (cmdline/number_arg.h); nullopt when the option is absent.
  [[nodiscard]] std::optional<long long> get_int(const std::string& name, long long lo, long long hi) const;
  [[nodiscard]] std::optional<double> get_double(const std::string& name, double lo, double hi) const;
  // "PROG CMD", for error messages of the command itself.
  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  friend Args parse_args(const std::string& program, const CommandSpec& spec, std::span<const std::string> argv);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
  std::string where_;
};

// Throws UsageError. `--opt=value` and `--opt value` both work, and `-x value` / `-xvalue` for an option
// with a short name; `--` ends the options.
[[nodiscard]] Args parse_args(const std::string& program, const CommandSpec& spec, std::span<const std::string> argv);
[[nodiscard]] std::string command_help(const std::string& program, const CommandSpec& spec);

struct Command {
  CommandSpec spec;
  std::function<int(const Args&)> run;
};

struct Program {
  std::string name;          // "deepsim"
  std::string version;       // "0.1.0"
  std::string summary;       // one line after "NAME VERSION - "
  std::vector<Command> commands;  // one command with an empty name: a program without commands
  std::string footer;        // exit codes etc., printed at the end of --help
};

// Help for the whole program: usage, commands with their summaries (or the single command's options).
[[nodiscard]] std::string program_help(const Program& p);

// Runs the program on argv (without argv[0]): help and version first, then the command. Usage errors
// throw UsageError (the caller prints them and exits 2, like any other bad input); no arguments at all
// print the help to `out` and return `no_args_code`.
[[nodiscard]] int run_program(const Program& p, std::span<const std::string> argv, std::ostream& out,
                              int no_args_code = 2);

// "error: WHERE: message (hint: ...)" - the one shape of usage errors.
[[nodiscard]] std::string format_usage_error(const UsageError& e);

}  // namespace deepsim::cmdline
