// deepsim validate: load and check a scenario as `run` would (preflight.h); print a one-line summary (or
// the resolved YAML, or JSON).
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/json_output.h"
#include "sim/core/format.h"
#include "sim/forecast/preflight.h"
#include "sim/step/static_analysis.h"
#include "sim/parallel/parallel_spec.h"
#include "sim/scenario/loader.h"
#include "sim/serve/serving_checks.h"

namespace deepsim::cli {

int run_validate(const Args& args) {
  const std::string path = args.positional().at(0);
  if (args.has("json")) {
    // Machine-readable either way: the error too goes to stdout (and to stderr, as always), exit 2.
    try {
      const Scenario s = load_scenario_file(path, args.all("set"));
      preflight(s);
      if (has_serving_section(s)) check_serving(s);
      std::cout << validate_json(path, s).dump(2) << "\n";
      return kExitOk;
    } catch (const InputError& e) {
      std::cout << input_error_json(path, e).dump(2) << "\n";
      throw;
    }
  }
  const Scenario s = load_scenario_file(path, args.all("set"));
  preflight(s);  // everything `run` checks before it simulates: placement, profile, trace, phases, failures
  if (has_serving_section(s)) check_serving(s);  // and the serving: section's, as `serve` would
  // The plan is valid input either way; whether it fits is a property of the plan, said as `run` says it.
  const MemoryEstimate memory = analyze(s).memory;
  if (!memory.fits())
    std::cerr << "WARNING: does not fit in HBM: the fullest stage needs " << format_bytes(memory.peak().total())
              << " of " << format_bytes(memory.hbm) << " (over by "
              << format_bytes(Bytes(memory.peak().total().value() - memory.hbm.value())) << ")\n";
  if (args.has("print")) {
    std::cout << to_yaml(s);
    return kExitOk;
  }
  std::cout << path << ": ok: " << s.model.name << " on " << s.cluster.total_gpus() << " x " << s.cluster.gpu.name
            << " (" << s.cluster.nodes << " nodes, " << to_string(s.cluster.topology.kind) << "), pp "
            << s.parallel.pp << " x dp " << s.parallel.dp << " x tp " << s.parallel.tp << ", ep " << s.parallel.ep
            << ", " << to_string(s.parallel.schedule) << "\n";
  return kExitOk;
}

}  // namespace deepsim::cli
