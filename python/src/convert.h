// Plain Python values from the sim's result structs: dicts of numbers and strings, lists of such dicts
// (one dict a row, the same keys in every row, so `pandas.DataFrame(rows)` takes them as they are).
// Every function here needs the GIL.
#pragma once

#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>

#include "sim/api/summary.h"
#include "sim/api/sweep_run.h"
#include "sim/step/simulate.h"

namespace deepsim::py {

namespace pb = pybind11;

[[nodiscard]] pb::dict to_dict(const api::Headline& h);
[[nodiscard]] pb::dict to_dict(const api::RunSummary& s);
// The step alone: headline times, per-rank rows (with seconds by category), link rows, notes.
[[nodiscard]] pb::dict to_dict(const StepSimulation& step);
// One sweep point: index, label, each axis' value, ran / feasible / error, and the headline's figures
// (None where the point did not run).
[[nodiscard]] pb::dict to_dict(const api::SweepPoint& p, const api::SweepSpec& spec);
// A JSON document as nested dicts and lists (result.json).
[[nodiscard]] pb::object to_python(const nlohmann::ordered_json& j);

}  // namespace deepsim::py
