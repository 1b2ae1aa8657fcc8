#include "sim/report/batch_kind.h"

#include "sim/forecast/preflight.h"
#include "sim/report/result_json.h"
#include "sim/report/run_report.h"
#include "sim/report/write_reports.h"

namespace deepsim {

void TrainingBatchKind::check(const Scenario& s) const {
  preflight(s);  // the same checks as deepsim validate and run, before any engine time
}

nlohmann::ordered_json TrainingBatchKind::compute(const BatchPoint& p) const {
  const RunReport report = make_run_report(p.scenario, step_, inventory_, p.deepsim_version);
  if (p.reports) write_reports(p.dir, report);
  return result_json(report);
}

}  // namespace deepsim
