// deepsim: the command-line front end. Parses the command, runs it, and maps errors to exit codes:
// InputError -> 2 with "file:line:column: key: message (hint: ...)", InternalError -> 3, others -> 1.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/core/error.h"
#include "sim/core/suggest.h"
#include "sim/core/time.h"

namespace {

void print_help() {
  std::cout << "deepsim " DEEPSIM_VERSION " - training-time and cost simulator for MoE LLMs on GPU clusters\n\n"
               "usage: deepsim COMMAND [arguments] [options]\n\ncommands:\n";
  for (const auto& c : deepsim::cli::commands()) {
    std::string name = "  " + c.spec.name;
    if (name.size() < 14) name.resize(14, ' ');
    std::cout << name << ' ' << c.spec.summary << '\n';
  }
  std::cout << "\n'deepsim COMMAND --help' shows a command's options.\n"
               "exit codes: 0 ok, 1 run failed, 2 bad input, 3 internal error\n";
}

int dispatch(const std::vector<std::string>& argv) {
  using namespace deepsim::cli;
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    print_help();
    return argv.empty() ? kExitBadInput : kExitOk;
  }
  if (argv[0] == "--version") {
    std::cout << "deepsim " DEEPSIM_VERSION "\n";
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const auto& c : commands()) {
    names.push_back(c.spec.name);
    if (c.spec.name != argv[0]) continue;
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    for (const auto& a : rest) {
      if (a == "--help" || a == "-h") {
        std::cout << command_help(c.spec);
        return kExitOk;
      }
    }
    return c.run(parse_args(c.spec, rest));
  }
  throw deepsim::InputError({}, "deepsim", "unknown command '" + argv[0] + "'", deepsim::suggestion_hint(argv[0], names));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace deepsim::cli;
  try {
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const deepsim::InputError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const deepsim::TimeOverflow& e) {
    // Outside simulate_step (which names the cause itself): still extreme input, not a bug.
    std::cerr << "error: " << e.what() << " (hint: check extreme values in cluster.gpu_overrides and "
                                         "cluster.nic_overrides)\n";
    return kExitBadInput;
  } catch (const deepsim::InternalError& e) {
    std::cerr << "deepsim: " << e.what() << "\nThis is a bug in deepsim; please report it with the scenario.\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "deepsim: " << e.what() << '\n';
    return kExitRunFailed;
  }
}
