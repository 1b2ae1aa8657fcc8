#include "sim/api/sweep_run.h"

#include <algorithm>

#include "sim/api/point_pool.h"
#include "sim/core/error.h"
#include "sim/core/suggest.h"
#include "sim/forecast/preflight.h"
#include "sim/scenario/schema.h"

namespace deepsim::api {
namespace {

std::vector<std::size_t> position_of(const Sweep& sw, std::uint64_t i) {
  std::vector<std::size_t> pos(sw.axes.size());
  for (std::size_t a = sw.axes.size(); a-- > 0;) {
    pos[a] = static_cast<std::size_t>(i % sw.axes[a].values.size());
    i /= sw.axes[a].values.size();
  }
  return pos;
}

SweepPoint run_point(const SweepSpec& spec, const Sweep& sw, std::uint64_t i, const RunControl& control) {
  SweepPoint p;
  p.index = i;
  p.position = position_of(sw, i);
  p.label = sw.label_at(i);
  ScenarioDoc doc = spec.base;
  for (const std::string& o : sw.overrides_at(i)) doc.overrides.push_back(o);
  try {
    // Each point gets the sweep's cancel token but no progress of its own: the sweep reports points.
    const Scenario s = load(doc);
    preflight(s);  // as `deepsim batch` does: a point `run` would refuse is kept with its error
    // A point's summary reads no trace: its link use over time is not recorded. Its forecast steps run
    // one at a time (threads = 1): the sweep's points are the unit of parallel work.
    RunSummary summary = summarize(run_forecast(s, RunControl{{}, control.cancel, 1}, RunRecording{false}));
    p.headline = summary.headline;
    p.phases = std::move(summary.phases);
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    // InputError (the point's scenario does not load or cannot be placed) and anything else a point
    // raises stay with the point; the sweep goes on.
    p.error = e.what();
  }
  return p;
}

}  // namespace

Sweep to_sweep(const SweepSpec& spec) {
  Sweep sw;
  sw.file = spec.base.display_name;
  sw.name = "what-if";
  for (const SweepAxisSpec& a : spec.axes) {
    if (!find_field(a.key)) {
      std::vector<std::string> keys;
      for (const Field& f : scenario_schema()) keys.emplace_back(f.path);
      throw InputError({"sweep", 0, 0}, a.key, "unknown scenario key '" + a.key + "'", suggestion_hint(a.key, keys));
    }
    if (a.values.empty()) throw InputError({"sweep", 0, 0}, a.key, "no values to sweep", "give one value or more");
    SweepAxis axis{{a.key}, {}};
    for (const std::string& v : a.values) axis.values.push_back({v});
    sw.axes.push_back(std::move(axis));
  }
  return sw;
}

SweepOutcome run_sweep(const SweepSpec& spec, const RunControl& control,
                       const std::function<void(const SweepPoint&)>& on_point) {
  const Sweep sw = to_sweep(spec);
  const std::uint64_t n = sw.size();
  SweepOutcome out;
  out.points = run_points<SweepPoint>(n, pool_threads(n, spec.threads), control,
                                     [&](std::uint64_t i) { return run_point(spec, sw, i, control); }, on_point);
  out.cancelled = control.cancel.cancelled();
  return out;
}

}  // namespace deepsim::api
