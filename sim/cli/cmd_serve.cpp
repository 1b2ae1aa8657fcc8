// deepsim serve: the serving study of a scenario's `serving:` section (docs/serving.md): prefill and
// decode units, TTFT and TPOT with the EP speed limit beside it, nodes and dollars for the workload, and
// the what-if tables; with --out the reports (report.md/html, result.json, trace.json of a decode step).
#include <filesystem>
#include <iostream>

#include "sim/api/serve_run.h"
#include "sim/cli/commands.h"
#include "sim/report/run_report.h"
#include "sim/scenario/loader.h"
#include "sim/serve/serve_report.h"

namespace deepsim::cli {

int run_serve(const Args& args) {
  const std::string path = args.positional().at(0);
  ServeReport report{.scenario = load_scenario_file(path, args.all("set")), .result = {},
                     .deepsim_version = DEEPSIM_VERSION, .input_hash = {}};
  report.input_hash = input_hash(report.scenario, report.deepsim_version);
  report.result = api::run_serve(report.scenario).result;  // the front ends' entry (sim/api/serve_run.h)
  const bool json = args.has("json");
  std::ostream& text = json ? std::cerr : std::cout;
  if (json) {
    std::cout << serve_json(report).dump(2) << "\n";
  } else if (!args.has("quiet")) {
    std::cout << serve_markdown_tables_only(report);
    std::cout << "\n" << serve_summary(report);
  } else {
    std::cout << serve_summary(report);
  }
  if (auto o = args.get("out")) {
    write_serve_reports(report, *o);
    text << "wrote " << *o << "/{report.md,report.html,result.json,trace.json}\n";
  }
  return kExitOk;
}

}  // namespace deepsim::cli
