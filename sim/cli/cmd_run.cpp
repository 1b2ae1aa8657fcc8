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
  const Scenario scenario = load_checked_scenario(args);  // as `validate` loads it: the same errors
  std::filesystem::path out_dir;
  if (auto o = args.get("out")) {
    out_dir = *o;
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) throw std::runtime_error("cannot create output directory '" + out_dir.string() + "': " + ec.message());
  }
  const RunOutput output = compute_run(scenario, !out_dir.empty());
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
  // The line is validate's (hbm_warning); result.json's memory.fits is memory_fit over the same ranks.
  if (const std::string w = hbm_warning(output.analysis.memory); !w.empty()) std::cerr << w << "\n";
  if (!out_dir.empty()) {
    write_run(out_dir, output);
    text << "wrote " << out_dir.string()
         << "/{report.md,report.html,result.json,phases.csv,ranks.csv,trace.json,analysis.md}\n";
  }
  return kExitOk;
}

}  // namespace deepsim::cli
