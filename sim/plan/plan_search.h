// search_plans: `deepsim plan`, the parallel-plan search (docs/plan.md).
//
//  1. Every plan of the SearchSpace is laid out (placement rules, schedule constraints: validate) and
//     its memory checked per pipeline stage against HBM; a plan that fails either is pruned before any
//     simulation, with the reason.
//  2. The rest are ordered by a lower bound on their cost (the step's compute at the dense peaks,
//     StaticAnalysis::step_lower_bound) and simulated in waves of kWave plans. Before each wave, a plan
//     whose lower bounds on both run time and cost are already matched by a simulated plan is pruned: it
//     can be neither on the Pareto front nor the fastest nor the cheapest. The waves are fixed, not
//     timed, so the plans simulated, and every output byte, are the same for any thread or rank count.
//  3. Simulated plans are ranked by run time and by cost; the Pareto front is the set no other plan
//     beats on both; the best plan's margin is explained by bubble, exposed communication and memory.
//
// Run time and cost are steady state: training.tokens / tokens per step x the simulated step at the full
// global batch, x GPUs x usd_per_gpu_hour. The batch ramp, later phases and failures are left out (they
// scale every plan alike to first order); `deepsim run` with the chosen plan gives the whole forecast.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/forecast/forecast.h"
#include "sim/plan/search_space.h"
#include "sim/report/work_pool.h"
#include "sim/scenario/scenario.h"

namespace deepsim {

enum class PlanStatus { kSimulated, kPrunedPlacement, kPrunedMemory, kPrunedBound, kFailed };
[[nodiscard]] const char* to_string(PlanStatus s);

struct PlanEvaluation {
  std::uint64_t index = 0;  // in the search space
  std::vector<int> plan;    // one value per dimension
  std::string description;  // "pp=8 ep=64 schedule=dualpipe ..."
  PlanStatus status = PlanStatus::kPrunedPlacement;
  std::string reason;       // why it was pruned or failed
  int gpus = 0, dp = 0, micro_batches = 0;
  Bytes peak_memory;        // busiest stage, static memory model
  Bytes hbm;
  Time step_lower_bound;
  double lower_bound_run_s = 0, lower_bound_cost_usd = 0;
  // Simulated (status kSimulated):
  Time step, bubble, exposed_comm, compute_busy;
  double run_s = 0, gpu_hours = 0, cost_usd = 0, mfu_bf16 = 0;
  bool pareto = false;

  [[nodiscard]] double memory_headroom() const { return 1.0 - peak_memory.value() / hbm.value(); }
};

struct PlanSearchOptions {
  WorkPool* pool = nullptr;  // where simulations run; null: one thread
  StepFn step;               // the step simulator; empty: simulate_step with a shared routing cache
  std::ostream* progress = nullptr;  // progress bar with ETA; nullptr: silent
};

struct PlanSearch {
  std::string scenario;
  std::vector<std::string> dimensions;    // names, in plan order
  std::uint64_t space_size = 0;
  std::vector<PlanEvaluation> plans;      // every distinct plan, in space order
  std::vector<std::size_t> by_time, by_cost, pareto;  // simulated plans, indices into `plans`
  std::uint64_t pruned_placement = 0, pruned_memory = 0, pruned_bound = 0, simulated = 0, failed = 0;
  std::vector<std::string> why;           // why the fastest and the cheapest plans win

  // The value of dimension `name` in plan p; throws InternalError for an unknown name.
  [[nodiscard]] int value(const PlanEvaluation& p, std::string_view name) const;
};

// Simulation waves: the first holds kFirstPlanWave plans, each next one twice as many up to kPlanWave.
// Fixed sizes (not timed, not per thread) keep which plans are simulated the same for any thread or
// MPI rank count; small first waves let the cheapest bounds' plans prune the rest early.
inline constexpr std::size_t kFirstPlanWave = 4;
inline constexpr std::size_t kPlanWave = 16;

// Throws InputError when no plan of the space can be simulated at all (with the commonest reason).
[[nodiscard]] PlanSearch search_plans(const Scenario& base, const SearchSpace& space, const PlanSearchOptions& options);

}  // namespace deepsim
