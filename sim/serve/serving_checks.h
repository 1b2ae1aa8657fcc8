// Cross-field checks of the `serving:` section against the model and cluster, run by `deepsim serve`
// before any model: each failure is an InputError at the key to blame, with the arithmetic and a hint.
#pragma once

#include "sim/scenario/scenario.h"

namespace deepsim {

void check_serving(const Scenario& s);
// True when the file (or a --set) has a `serving:` key: `deepsim validate` then runs check_serving too.
[[nodiscard]] bool has_serving_section(const Scenario& s);
// Throws InputError at `serving` when a loaded scenario has no serving: section (there is nothing to serve).
void require_serving_section(const Scenario& s);

}  // namespace deepsim
