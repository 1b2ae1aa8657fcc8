// deepsim run: the main job. Loads a scenario, prints the static analysis (parameters, FLOPs per token,
// memory per stage, compute lower bounds labelled as bounds) and the simulated step, and with --out
// writes the reports.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/run_output.h"
#include "sim/report/documents.h"
#include "sim/report/result_json.h"
#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/report/run_report.h"
#include "sim/forecast/preflight.h"
#include "sim/scenario/loader.h"
#include "sim/step/static_analysis.h"

namespace deepsim::cli {

int run_run(const Args& args) {
  const std::string path = args.positional().at(0);
  const Scenario scenario = load_scenario_file(path, args.all("set"));
  preflight(scenario);  // the checks `validate` makes, so both refuse the same inputs with the same errors
  std::filesystem::path out_dir;
  if (auto o = args.get("out")) {
    out_dir = *o;
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) throw std::runtime_error("cannot create output directory '" + out_dir.string() + "': " + ec.message());
  }
  const RunOutput output = compute_run(scenario);
  const bool json = args.has("json");
  // --json: stdout is exactly result.json (docs/result-schema.md); every other line goes to stderr.
  std::ostream& text = json ? std::cerr : std::cout;
  if (json) {
    std::cout << result_json(output.report).dump(2) << "\n";
  } else {
    if (!args.has("quiet")) {
      print_run(std::cout, output);
      std::cout << "\n" << text_summary(output.report);
    }
    std::cout << summary_line(output) << "\n";
  }
  // A plan over HBM is still simulated (the time it would take if it fit), but it cannot run: say so on
  // stderr, in a line a script can grep, whatever --quiet or --json say; result.json carries memory.fits.
  const MemoryFit fit = memory_fit(output.report);
  if (!fit.fits)
    std::cerr << "WARNING: does not fit in HBM: the fullest rank needs " << format_bytes(Bytes(fit.peak_bytes))
              << " of " << format_bytes(output.scenario.cluster.gpu.hbm) << " (over by "
              << format_bytes(Bytes(-fit.min_headroom_bytes))
              << "); the step time and cost above are for a plan no cluster can run\n";
  if (!out_dir.empty()) {
    write_run(out_dir, output);
    text << "wrote " << out_dir.string()
         << "/{report.md,report.html,result.json,phases.csv,ranks.csv,trace.json,analysis.md}\n";
  }
  return kExitOk;
}

}  // namespace deepsim::cli
