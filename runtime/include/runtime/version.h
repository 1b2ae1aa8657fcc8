// The executor's version string (matches the project version).
#pragma once

namespace deepsim::runtime {
[[nodiscard]] const char* version();
}  // namespace deepsim::runtime
