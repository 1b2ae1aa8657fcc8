// Did-you-mean suggestions for misspelt keys, flags and names. The edit distance and the hints live in
// common/cmdline (shared with the programs that may not include sim/); this header adds them to deepsim::.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cmdline/suggest.h"

namespace deepsim {

// Case-insensitive (ASCII) equality, for catalog and preset names.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);
using cmdline::closest_match;
using cmdline::edit_distance;
using cmdline::suggestion_hint;

}  // namespace deepsim
