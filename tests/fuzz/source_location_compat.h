// Force-included (-include) in the fuzz build only. Debian 12's clang 14 with GCC 12's libstdc++ has no
// std::source_location (libstdc++ needs __builtin_source_location, which clang gained in 15), and
// sim/core/error.h uses it for DEEPSIM_ASSERT. This stands in with the builtins clang 14 does have;
// the GCC builds never see it. Remove it when the fuzz build moves to clang >= 15.
#pragma once

#include <version>

#if !defined(__cpp_lib_source_location)
#include <cstdint>
#include <source_location>  // empty here, but included so the real header cannot be included later

namespace std {  // NOLINT: a shim for the missing library type, fuzz build only
struct source_location {
  static constexpr source_location current(const char* file = __builtin_FILE(), std::uint_least32_t line = __builtin_LINE(),
                                           const char* function = __builtin_FUNCTION()) noexcept {
    source_location s;
    s.file_ = file;
    s.line_ = line;
    s.function_ = function;
    return s;
  }
  [[nodiscard]] constexpr const char* file_name() const noexcept { return file_; }
  [[nodiscard]] constexpr const char* function_name() const noexcept { return function_; }
  [[nodiscard]] constexpr std::uint_least32_t line() const noexcept { return line_; }
  [[nodiscard]] constexpr std::uint_least32_t column() const noexcept { return 0; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  std::uint_least32_t line_ = 0;
};
}  // namespace std
#endif
