#include "sim/report/reference_rows.h"

#include "sim/core/format.h"

namespace deepsim {

std::string value_text(const ReferenceRow& row, double v) {
  if (row.unit == "USD") return "$" + format_count(v);
  if (row.unit == "s") return format_seconds(v);
  return format_count(v) + " " + row.unit;
}

std::string error_text(const ReferenceRow& row) {
  const double e = row.error_pct();
  return (e > 0 ? "+" : "") + fixed(e, 1) + "%";
}

std::vector<ReferenceRow> reference_rows(const RunReport& r) {
  const ReferenceSpec& ref = r.scenario.reference;
  std::vector<ReferenceRow> rows;
  // The step a reference step time describes is the configured one (training.global_batch, seq_len and
  // the plan as written), not an average over the batch ramp.
  if (ref.step_time_s > 0)
    rows.push_back({"step_time_s", "step time (configured step)", "s", r.step.step.seconds(), ref.step_time_s,
                    ref.step_time_source});
  if (ref.gpu_hours > 0)
    rows.push_back({"gpu_hours", "GPU-hours (whole run, failures included)", "GPU-hours", r.forecast.gpu_hours,
                    ref.gpu_hours, ref.gpu_hours_source});
  if (ref.cost_usd > 0)
    rows.push_back({"cost_usd", "cost (" + r.cost.basis + ")", "USD", r.cost.usd, ref.cost_usd, ref.cost_source});
  return rows;
}

}  // namespace deepsim
