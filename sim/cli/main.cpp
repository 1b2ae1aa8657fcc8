// deepsim: the command-line front end. The commands (sim/cli/commands.cpp) run through the shared
// command-line layer (common/cmdline); errors map to exit codes: bad usage and InputError -> 2 with
// "file:line:column: key: message (hint: ...)", InternalError -> 3, others -> 1.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "sim/cli/commands.h"
#include "sim/core/error.h"
#include "sim/core/time.h"

namespace {

deepsim::cmdline::Program program() {
  using namespace deepsim::cli;
  deepsim::cmdline::Program p{"deepsim", DEEPSIM_VERSION, "training-time and cost simulator for MoE LLMs on GPU clusters",
                              {}, "exit codes: 0 ok, 1 run failed, 2 bad input, 3 internal error"};
  for (const Command& c : commands()) p.commands.push_back({c.spec, c.run});
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace deepsim::cli;
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return deepsim::cmdline::run_program(program(), args, std::cout, kExitBadInput);
  } catch (const deepsim::cmdline::UsageError& e) {
    std::cerr << deepsim::cmdline::format_usage_error(e) << '\n';
    return kExitBadInput;
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
