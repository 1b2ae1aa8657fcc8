// deepsim batch: many scenarios and sweeps on all cores, with results.csv, summary.md / summary.html and
// one result.json per scenario under OUT/runs/<input hash>/ (sim/report/batch_runner.h). Re-running
// reuses the results already there. A batch of sweeps with `kind: serve` runs the serving study on each
// point (sim/serve/serve_batch.h) instead of the training run.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>

#include "cmdline/terminal.h"
#include "sim/cli/commands.h"
#include "sim/cli/mpi_work_pool.h"
#include "sim/core/error.h"
#include "sim/cost/network_inventory.h"
#include "sim/report/batch_runner.h"
#include "sim/serve/serve_batch.h"
#include "sim/step/simulate.h"

namespace deepsim::cli {

int run_batch(const Args& args) {
  const BatchJobs jobs(args.positional());  // bad sweep files fail here, before anything runs
  BatchOptions o;
  o.out_dir = args.get("out").value_or("batch-out");
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  o.threads = static_cast<int>(std::min<unsigned>(cores, static_cast<unsigned>(kMaxBatchThreads)));
  if (auto j = args.get_int("jobs", 1, kMaxBatchThreads)) o.threads = static_cast<int>(*j);
  o.deepsim_version = DEEPSIM_VERSION;
  o.reports = args.has("reports");
  // One routing-sample cache for the whole batch: points that differ in GPU, schedule or micro-batches
  // share their samples (the cache is thread-safe and bounded).
  auto routing = std::make_shared<RoutingSampleCache>();
  o.step = [routing](const Scenario& s) {
    StepOptions so;
    so.routing_cache = routing.get();
    return simulate_step(s, so);
  };
  o.inventory = [](const ClusterSpec& c) { return network_inventory(c); };
  if (jobs.kind() == "serve") {
    check_serve_batch(jobs);  // a base without a serving: section fails here, at the sweep's kind: key
    o.kind = std::make_shared<ServeBatchKind>();
  }
  const std::unique_ptr<WorkPool> mpi = make_mpi_work_pool();  // under mpirun: one scenario per rank at a time
  o.pool = mpi.get();
  if (mpi && !mpi->coordinator()) {
    (void)deepsim::run_batch(jobs, o);
    return kExitOk;  // rank 0 reports
  }
  // The progress bar rewrites its line with '\r': only on a terminal, or when asked for (--progress).
  const bool progress = args.has("progress") || (!args.has("quiet") && cmdline::is_terminal(stderr));
  o.progress = progress ? &std::cerr : nullptr;
  std::cerr << "batch: " << jobs.size() << (jobs.kind() == "serve" ? " serving scenarios on " : " scenarios on ")
            << (mpi ? "MPI ranks (rank 0 coordinates)" : std::to_string(o.threads) + " threads") << " -> "
            << o.out_dir.string() << "\n";
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
