#include "runtime/version.h"

namespace deepsim::runtime {
const char* version() { return "0.1.0"; }
}  // namespace deepsim::runtime
