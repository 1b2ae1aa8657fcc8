// Error types. Two layers, two schemes (STYLE.md rule 8):
//  - InputError: the user's input is wrong. Carries file, line, column, key path and a hint, and is what
//    the CLI turns into exit code 2. Thrown only at the boundary (scenario loading, CLI parsing).
//  - DEEPSIM_ASSERT: an internal invariant; stays on in release builds and throws InternalError.
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>

namespace deepsim {

struct SourcePos {
  std::string file;  // path as the user gave it; empty for --set overrides and built-ins
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
};

class InputError : public std::runtime_error {
 public:
  InputError(SourcePos pos, std::string key, std::string message, std::string hint = {});
  [[nodiscard]] const SourcePos& pos() const { return pos_; }
  [[nodiscard]] const std::string& key() const { return key_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] const std::string& hint() const { return hint_; }

 private:
  SourcePos pos_;
  std::string key_;
  std::string message_;
  std::string hint_;
};

// Formats "file:line:column: key: message (hint: ...)", the shape compilers use, so editors jump to it.
[[nodiscard]] std::string format_input_error(const SourcePos& pos, const std::string& key, const std::string& message,
                                             const std::string& hint);

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void assert_fail(const char* expr, const std::string& what, std::source_location where);

}  // namespace deepsim

#define DEEPSIM_ASSERT(cond, what)                                                    \
  do {                                                                                \
    if (!(cond)) ::deepsim::assert_fail(#cond, (what), std::source_location::current()); \
  } while (false)
