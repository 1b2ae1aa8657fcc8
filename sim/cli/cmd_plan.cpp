// deepsim plan: search the parallel plan of a scenario's cluster and model (sim/plan, docs/plan.md);
// print the fastest and cheapest plans, the Pareto front and why the best wins; with --out write
// plans.csv, plans.json and plans.html. On all cores, or on MPI ranks under mpirun.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>

#include "sim/cli/commands.h"
#include "sim/cli/mpi_work_pool.h"
#include "sim/core/error.h"
#include "sim/plan/plan_report.h"
#include "sim/plan/plan_search.h"
#include "sim/scenario/loader.h"

namespace deepsim::cli {
namespace {

int positive(const Args& args, const std::string& name, int fallback) {
  const auto v = args.get(name);
  if (!v) return fallback;
  int n = 0;
  try {
    n = std::stoi(*v);
  } catch (const std::exception&) {
    n = 0;
  }
  if (n < 1) throw InputError({}, "--" + name, "expected a positive number, got '" + *v + "'", "e.g. --" + name + " 4");
  return n;
}

}  // namespace

int run_plan(const Args& args) {
  const std::string path = args.positional().at(0);
  const Scenario base = load_scenario_file(path, args.all("set"));
  SearchSpace space(base);
  for (const auto& v : args.all("vary")) space.vary(v);
  const int threads = positive(args, "jobs", static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
  const auto top = static_cast<std::size_t>(positive(args, "top", 10));

  const std::unique_ptr<WorkPool> mpi = make_mpi_work_pool();
  ThreadWorkPool local(threads);
  PlanSearchOptions o;
  o.pool = mpi ? mpi.get() : &local;
  const bool report = !mpi || mpi->coordinator();
  // The bar redraws one line: only where a person watches (a terminal), never into logs or pipes.
  o.progress = report && !args.has("quiet") && isatty(STDERR_FILENO) != 0 ? &std::cerr : nullptr;
  if (report)
    std::cerr << "plan: " << space.size() << " plans in the space of " << base.name << " on "
              << (mpi ? "MPI ranks (rank 0 coordinates)" : std::to_string(threads) + " threads") << "\n";
  const PlanSearch result = search_plans(base, space, o);
  if (!report) return kExitOk;
  print_plan_summary(std::cout, result, top);
  if (const auto dir = args.get("out")) {
    write_plan_reports(*dir, result, top);
    std::cout << "wrote " << *dir << "/{plans.csv,plans.json,plans.html}\n";
  }
  return kExitOk;
}

}  // namespace deepsim::cli
