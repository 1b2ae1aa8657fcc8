// What-if sweeps for front ends: one or two scenario keys, each with a list of values, over a base
// ScenarioDoc. The points are enumerated by sim/forecast/sweep.h (row-major, last axis fastest) and run
// on a pool of threads; each point is a full forecast reduced to the figures a sweep chart plots.
// A point whose scenario does not load or cannot be placed is kept with its error; a point whose memory
// does not fit HBM is computed and marked infeasible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/api/run_control.h"
#include "sim/api/scenario_doc.h"
#include "sim/api/summary.h"
#include "sim/forecast/sweep.h"

namespace deepsim::api {

struct SweepAxisSpec {
  std::string key;                  // "cluster.nodes", "parallel.schedule", ...
  std::vector<std::string> values;  // YAML scalars
};

struct SweepSpec {
  ScenarioDoc base;
  std::vector<SweepAxisSpec> axes;  // one or two (any number works; front ends draw one or two)
  int threads = 0;                  // 0: every core
};

struct SweepPoint {
  std::uint64_t index = 0;
  std::vector<std::size_t> position;  // index into each axis' values
  std::string label;                  // "cluster.nodes=128 parallel.ep=32"
  std::optional<Headline> headline;   // set when the point ran
  std::string error;                  // why it did not run (input error text)
  std::vector<PhaseRow> phases;       // the run's phases (GPU-hours and cost each), when it ran
  [[nodiscard]] bool ran() const { return headline.has_value(); }
  [[nodiscard]] bool feasible() const { return ran() && headline->memory_fits; }
};

struct SweepOutcome {
  std::vector<SweepPoint> points;  // in point order; only the finished ones when cancelled
  bool cancelled = false;
};

// The sweep as sim/forecast/sweep.h describes it. Throws InputError for an unknown key or a bad value.
[[nodiscard]] Sweep to_sweep(const SweepSpec& spec);
// Runs every point. `on_point` (may be empty) is called, from a worker thread, as each point finishes,
// in completion order. Cancel stops handing out points; points in flight finish.
[[nodiscard]] SweepOutcome run_sweep(const SweepSpec& spec, const RunControl& control = {},
                                     const std::function<void(const SweepPoint&)>& on_point = {});

}  // namespace deepsim::api
