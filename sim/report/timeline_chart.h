// The step timeline of report.html: one row per pipeline rank with its compute track above its
// communication track, each span of a kind (forward, backward, ...) at its real start and end. Inline
// SVG plus one small inline script (no network): the wheel zooms the time axis around the cursor, a drag
// pans, a double click resets; the tick labels follow. Without the script the full step is shown.
#pragma once

#include <string>

#include "sim/step/step_result.h"

namespace deepsim {

// "" when the step has no timeline (a step not simulated by the engine).
[[nodiscard]] std::string timeline_html(const StepResult& step);

}  // namespace deepsim
