// deepsim batch: many scenarios and sweeps on all cores, with results.csv, summary.md / summary.html and
// one result.json per scenario under OUT/runs/<input hash>/ (sim/report/batch_runner.h). Re-running
// reuses the results already there.
#include <iostream>
#include <stdexcept>
#include <thread>

#include "sim/cli/commands.h"
#include "sim/core/error.h"
#include "sim/cost/network_inventory.h"
#include "sim/report/batch_runner.h"
#include "sim/step/simulate.h"

namespace deepsim::cli {

int run_batch(const Args& args) {
  const BatchJobs jobs(args.positional());  // bad sweep files fail here, before anything runs
  BatchOptions o;
  o.out_dir = args.get("out").value_or("batch-out");
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  o.threads = static_cast<int>(cores);
  if (auto j = args.get("jobs")) {
    try {
      o.threads = std::stoi(*j);
    } catch (const std::exception&) {
      o.threads = 0;
    }
    if (o.threads < 1)
      throw InputError({}, "--jobs", "expected a positive number of threads, got '" + *j + "'", "e.g. --jobs 4");
  }
  o.deepsim_version = DEEPSIM_VERSION;
  o.step = [](const Scenario& s) { return simulate_step(s); };
  o.inventory = [](const ClusterSpec& c) { return network_inventory(c); };
  o.progress = args.has("quiet") ? nullptr : &std::cerr;
  std::cerr << "batch: " << jobs.size() << " scenarios on " << o.threads << " threads -> " << o.out_dir.string()
            << "\n";
  const BatchOutcome out = deepsim::run_batch(jobs, o);
  if (out.reused > 0)
    std::cerr << "skipped " << out.reused << " scenarios already computed in " << (o.out_dir / "runs").string()
              << " (same input hash)\n";
  std::cout << out.total << " scenarios: " << out.computed << " computed, " << out.reused << " reused, " << out.failed
            << " failed";
  if (out.does_not_fit > 0) std::cout << " (" << out.does_not_fit << " do not fit in HBM: listed apart, not ranked)";
  std::cout << "; wrote " << o.out_dir.string() << "/{results.csv,summary.md,summary.html}\n";
  // Bad input is exit 2 in a batch too: a sweep whose points the loader refuses is the input's fault.
  if (out.bad_input > 0) return kExitBadInput;
  return out.failed > 0 ? kExitRunFailed : kExitOk;
}

}  // namespace deepsim::cli
