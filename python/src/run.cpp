#include "run.h"

#include <pybind11/stl.h>

#include <filesystem>
#include <fstream>

#include "convert.h"
#include "progress.h"
#include "scenario.h"
#include "sim/api/run.h"
#include "sim/api/summary.h"
#include "sim/api/sweep_run.h"
#include "sim/core/error.h"
#include "sim/report/result_json.h"
#include "sim/report/step_trace.h"
#include "sim/report/write_reports.h"

namespace deepsim::py {
namespace pb = pybind11;

namespace {

// Runs `compute` with the GIL released and the callback wired in; re-raises the callback's exception
// (a KeyboardInterrupt, say) rather than the Cancelled it caused.
template <class Fn>
auto with_progress(const pb::object& progress, Fn&& compute) {
  PythonProgress p(progress);
  try {
    auto result = [&] {
      const pb::gil_scoped_release nogil;
      return compute(p.control());
    }();
    p.finish();
    return result;
  } catch (const api::Cancelled&) {
    p.finish();
    throw;
  }
}

api::SweepSpec sweep_spec(const PyScenario& base, const pb::dict& axes, int threads) {
  api::SweepSpec spec;
  spec.base = base.doc;
  spec.threads = threads;
  for (const auto& [k, values] : axes) {
    api::SweepAxisSpec axis{pb::str(k), {}};
    if (pb::isinstance<pb::str>(values) || !pb::isinstance<pb::iterable>(values))
      throw InputError({"sweep", 0, 0}, axis.key, "the values of '" + axis.key + "' must be a list",
                       "e.g. {\"" + axis.key + "\": [64, 128]}");
    for (const pb::handle v : values) axis.values.push_back(yaml_scalar(v));
    spec.axes.push_back(std::move(axis));
  }
  if (spec.axes.empty()) throw InputError({"sweep", 0, 0}, "", "no axes to sweep", "give one key -> list of values or more");
  return spec;
}

// What run_forecast returns: the summary's tables, and the whole result.json as nested dicts.
struct ForecastResult {
  api::RunOutput output;
  api::RunSummary summary;
};

}  // namespace

void bind_runs(pb::module_& m) {
  m.def("run_step",
        [](const PyScenario& s, const pb::object& progress) {
          const StepSimulation sim = with_progress(progress, [&](const api::RunControl& c) { return api::run_step(s.scenario, c); });
          return to_dict(sim);
        },
        pb::arg("scenario"), pb::arg("progress") = pb::none(),
        "Simulate one training step of the scenario as configured. Returns a dict: step_s, bubble_s, "
        "exposed_comm_s, exposed_dp_s, compute_busy_s, step_lower_bound_s, kernel_model, fidelity, tasks, ranks (one row per "
        "pipeline rank, seconds by category), links, notes. progress(stage, done, total) is called between "
        "units of work; returning False cancels (deepsim.Cancelled).");

  m.def("run_forecast",
        [](const PyScenario& s, const pb::object& progress, const pb::object& out_dir) {
          const ForecastResult r = with_progress(progress, [&](const api::RunControl& c) {
            api::RunOutput out = api::run_forecast(s.scenario, c);
            api::RunSummary summary = api::summarize(out);
            return ForecastResult{std::move(out), std::move(summary)};
          });
          pb::dict d = to_dict(r.summary);
          d["result"] = to_python(result_json(r.output.report));
          if (!out_dir.is_none()) {
            // The files `deepsim run --out` writes from the library: reports, CSVs and the Perfetto trace.
            const std::filesystem::path dir = pb::str(out_dir).cast<std::string>();
            const pb::gil_scoped_release nogil;
            std::filesystem::create_directories(dir);
            write_reports(dir, r.output.report);
            std::ofstream trace(dir / "trace.json", std::ios::binary);
            write_step_trace(trace, r.output.step);
            if (!trace) throw std::runtime_error("cannot write '" + (dir / "trace.json").string() + "'");
          }
          return d;
        },
        pb::arg("scenario"), pb::arg("progress") = pb::none(), pb::arg("out_dir") = pb::none(),
        "Simulate the step and forecast the whole run with its cost. Returns a dict: headline (GPU-hours, days, "
        "rental and ownership USD, MFU, tokens/s, step times, memory_fits), memory (per stage), phases, links, "
        "ranks, notes, and result (result.json as nested dicts, docs/result-schema.md). With out_dir, also "
        "writes report.md, report.html, result.json, phases.csv, ranks.csv and trace.json there.");

  m.def("run_sweep",
        [](const PyScenario& base, const pb::dict& axes, int threads, const pb::object& progress) {
          const api::SweepSpec spec = sweep_spec(base, axes, threads);
          const api::SweepOutcome out =
              with_progress(progress, [&](const api::RunControl& c) { return api::run_sweep(spec, c); });
          // Stopped by the callback: the same exception a cancelled step or forecast raises.
          if (out.cancelled) throw api::Cancelled();
          pb::list rows;
          for (const api::SweepPoint& p : out.points) rows.append(to_dict(p, spec));
          return rows;
        },
        pb::arg("scenario"), pb::arg("axes"), pb::arg("threads") = 0, pb::arg("progress") = pb::none(),
        "Run the scenario at every combination of `axes` (a dict of key path -> list of values; the last key "
        "varies fastest) on `threads` threads (0: every core). Returns one dict per point in point order: index, "
        "label, each axis key with its value, ran, feasible (ran and fits in HBM), error (why it did not run, or "
        "None) and the headline's figures (None where it did not run). progress(stage, done, total) after each "
        "point; returning False stops handing out points and raises deepsim.Cancelled.");

  m.attr("__version__") = api::version();
}

}  // namespace deepsim::py
