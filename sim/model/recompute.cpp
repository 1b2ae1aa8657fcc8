#include "sim/model/recompute.h"

namespace deepsim {

const char* to_string(RecomputeMode m) {
  switch (m) {
    case RecomputeMode::kNone: return "none";
    case RecomputeMode::kPartial: return "partial";
    case RecomputeMode::kSelective: return "selective";
    case RecomputeMode::kFull: return "full";
  }
  return "?";
}

std::vector<std::string_view> recompute_mode_names() { return {"none", "partial", "selective", "full"}; }

std::optional<RecomputeMode> parse_recompute_mode(std::string_view s) {
  const auto names = recompute_mode_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == s) return static_cast<RecomputeMode>(i);
  return std::nullopt;
}

}  // namespace deepsim
