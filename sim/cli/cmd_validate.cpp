// deepsim validate: load and check a scenario exactly as `run` does (load_checked_scenario: the loader's
// checks, then preflight.h's), plus the serving: section as `serve` would; print a one-line summary (or
// the resolved YAML, or JSON). A plan over HBM is valid input: both commands print the same warning.
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/json_output.h"
#include "sim/forecast/preflight.h"
#include "sim/parallel/parallel_spec.h"
#include "sim/scenario/loader.h"
#include "sim/serve/serving_checks.h"
#include "sim/step/static_analysis.h"

namespace deepsim::cli {

Scenario load_checked_scenario(const Args& args) {
  Scenario s = load_scenario_file(args.positional().at(0), args.all("set"));
  preflight(s);  // placement, schedule, profile, trace, fabric, phases, failures: what `run` needs
  return s;
}

namespace {

Scenario checked(const Args& args) {
  Scenario s = load_checked_scenario(args);
  if (has_serving_section(s)) check_serving(s);  // and the serving: section's, as `serve` would
  return s;
}

}  // namespace

int run_validate(const Args& args) {
  const std::string path = args.positional().at(0);
  if (args.has("json")) {
    // Machine-readable either way: the error too goes to stdout (and to stderr, as always), exit 2.
    try {
      const Scenario s = checked(args);
      if (const std::string w = hbm_warning(analyze(s).memory); !w.empty()) std::cerr << w << "\n";
      std::cout << validate_json(path, s).dump(2) << "\n";
      return kExitOk;
    } catch (const InputError& e) {
      std::cout << input_error_json(path, e).dump(2) << "\n";
      throw;
    }
  }
  const Scenario s = checked(args);
  // The plan is valid input either way; whether it fits is a property of the plan, said as `run` says it.
  if (const std::string w = hbm_warning(analyze(s).memory); !w.empty()) std::cerr << w << "\n";
  if (args.has("print")) {
    std::cout << to_yaml(s);
    return kExitOk;
  }
  std::cout << path << ": ok: " << s.model.name << " on " << s.cluster.total_gpus() << " x " << s.cluster.gpu.name
            << " (" << s.cluster.nodes << " nodes, " << to_string(s.cluster.topology.kind) << "), pp "
            << s.parallel.pp << " x dp " << s.parallel.dp << " x tp " << s.parallel.tp
            << (s.parallel.cp > 1 ? " x cp " + std::to_string(s.parallel.cp) : std::string()) << ", ep " << s.parallel.ep
            << ", " << to_string(s.parallel.schedule) << "\n";
  return kExitOk;
}

}  // namespace deepsim::cli
