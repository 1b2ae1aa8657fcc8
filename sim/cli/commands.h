// The `deepsim` commands. Each is a spec (its flags and help) and a function returning the exit code.
#pragma once

#include <vector>

#include "sim/cli/args.h"
#include "sim/scenario/scenario.h"

namespace deepsim::cli {

// Exit codes (documented in README.md and docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailed = 1;   // e.g. the output directory cannot be written
inline constexpr int kExitBadInput = 2;    // scenario or command-line errors
inline constexpr int kExitInternal = 3;    // a bug in deepsim

struct Command {
  CommandSpec spec;
  int (*run)(const Args& args);
};

[[nodiscard]] const std::vector<Command>& commands();

// The scenario of SCENARIO (positional 0) with its --set overrides, after every check `run` makes before
// it simulates (preflight.h): `run` and `validate` both load through here, so they refuse the same inputs
// with the same errors.
[[nodiscard]] Scenario load_checked_scenario(const Args& args);

int run_validate(const Args& args);
int run_run(const Args& args);
int run_model(const Args& args);
int run_topo(const Args& args);
int run_net_bench(const Args& args);
int run_batch(const Args& args);
int run_diff(const Args& args);
[[nodiscard]] Command compare_command();  // cmd_compare.cpp
int run_plan(const Args& args);
int run_serve(const Args& args);  // cmd_serve.cpp

}  // namespace deepsim::cli
