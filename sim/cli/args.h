// Command-line parsing for `deepsim`: the shared layer of every deepsim program (common/cmdline), under
// the names the commands use. Each command declares its options; unknown ones are errors with a
// did-you-mean hint (exit code 2).
#pragma once

#include "cmdline/command_line.h"
#include "cmdline/number_arg.h"

namespace deepsim::cli {

using cmdline::Args;
using cmdline::CommandSpec;
using cmdline::OptionSpec;
using cmdline::UsageError;

}  // namespace deepsim::cli
