// Did-you-mean suggestions for misspelt commands, flags, keys and names (shared by every program and by
// the scenario loader through sim/core/suggest.h).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace deepsim::cmdline {

// Optimal-string-alignment edit distance (insertions, deletions, substitutions, adjacent swaps),
// case-insensitive (ASCII).
[[nodiscard]] int edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo (distance <= max(1, len/3)),
// else "". Ties go to the earlier candidate, so suggestions are deterministic.
[[nodiscard]] std::string closest_match(std::string_view word, std::span<const std::string> candidates);
// "did you mean 'x'?" or "expected one of: a, b, c" ("" when there are no candidates at all).
[[nodiscard]] std::string suggestion_hint(std::string_view word, std::span<const std::string> candidates);

}  // namespace deepsim::cmdline
