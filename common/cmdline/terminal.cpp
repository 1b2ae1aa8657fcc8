#include "cmdline/terminal.h"

#include <unistd.h>

namespace deepsim::cmdline {

bool is_terminal(std::FILE* stream) { return stream != nullptr && ::isatty(::fileno(stream)) == 1; }

}  // namespace deepsim::cmdline
