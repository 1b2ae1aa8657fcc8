// Whether a stream is an interactive terminal: progress bars with '\r' go only there (or on request),
// never into a log file or a pipe.
#pragma once

#include <cstdio>

namespace deepsim::cmdline {

[[nodiscard]] bool is_terminal(std::FILE* stream);

}  // namespace deepsim::cmdline
