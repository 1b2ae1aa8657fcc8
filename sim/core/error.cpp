#include "sim/core/error.h"

#include <sstream>

namespace deepsim {

std::string format_input_error(const SourcePos& pos, const std::string& key, const std::string& message,
                               const std::string& hint) {
  std::ostringstream out;
  if (!pos.file.empty()) {
    out << pos.file;
    if (pos.line > 0) out << ':' << pos.line;
    if (pos.column > 0) out << ':' << pos.column;
    out << ": ";
  }
  if (!key.empty()) out << key << ": ";
  out << message;
  if (!hint.empty()) out << " (hint: " << hint << ")";
  return out.str();
}

InputError::InputError(SourcePos pos, std::string key, std::string message, std::string hint)
    : std::runtime_error(format_input_error(pos, key, message, hint)),
      pos_(std::move(pos)),
      key_(std::move(key)),
      message_(std::move(message)),
      hint_(std::move(hint)) {}

void assert_fail(const char* expr, const std::string& what, std::source_location where) {
  std::ostringstream out;
  out << "internal error at " << where.file_name() << ':' << where.line() << " in " << where.function_name()
      << ": " << what << " [" << expr << " is false]";
  throw InternalError(out.str());
}

}  // namespace deepsim
