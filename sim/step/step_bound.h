// A lower bound on a scenario's simulated step from compute and blocking TP collectives alone, tighter
// than StaticAnalysis::step_lower_bound (every FLOP at the dense peak, no pipeline dependencies), for the
// plan search's pruning (sim/plan, docs/plan.md).
//
// Each rank's pipeline program runs in order (simulate_in_order) with:
//  - every compute instruction taking its chunk's compute time as the step graph's chain does: the
//    same stage costs from the same kernel model (stage_costs), except that an MoE layer's experts take
//    their FLOPs at the GPU's highest dense peak (the simulated experts run a routing sample's busiest
//    GPU, whose grouped GEMMs the balanced counts do not bound tile for tile);
//  - the TP collectives that block the compute stream (parallel.tp_comm_overlap: none) at their raw
//    NVLink bandwidth term, (n-1)/n x S per direction for an all-gather or reduce-scatter, twice that
//    for an all-reduce, without latency, protocol floor or the InfiniBand of TP across nodes;
//  - sends, all-to-alls and every other collective free, and no optimizer;
//  - under ZeRO-2, at least the busiest rank's per-micro-batch gradient reduce-scatters back to back on
//    its DP stream, each at its NIC's line rate, when its DP-CP group's GPUs sit on distinct nodes.
// The simulated step can only be longer: it runs the same dependencies with every duration at least
// these (one compute stream per rank; SM sharing only stretches compute). A test holds it below the
// simulated step of every plan the search simulates and of each schedule.
#pragma once

#include <memory>

#include "sim/core/time.h"
#include "sim/scenario/scenario.h"
#include "sim/step/static_analysis.h"

namespace deepsim {

// What compute_step_bound derives from a plan, shared between the plans of one search (sim/plan): the
// schedule per (schedule, pp, micro-batches, virtual stages) and the stage costs per (stage count,
// StageCostContext). Both depend on nothing else once the model, the GPU and the calibration profile are
// fixed; the memo keeps the first scenario's three and bypasses itself for a scenario that differs.
// Thread-safe.
class StepBoundMemo {
 public:
  StepBoundMemo();
  ~StepBoundMemo();
  StepBoundMemo(const StepBoundMemo&) = delete;
  StepBoundMemo& operator=(const StepBoundMemo&) = delete;

  struct State;

 private:
  friend Time compute_step_bound(const Scenario& s, const StaticAnalysis& a, StepBoundMemo* memo);
  std::unique_ptr<State> state_;
};

// Time::zero() when the plan cannot be laid out or scheduled (the caller's checks report that).
// `a`: analyze(s) (its memory model gives the DP sync's gradient bytes). `memo`: optional.
[[nodiscard]] Time compute_step_bound(const Scenario& s, const StaticAnalysis& a, StepBoundMemo* memo = nullptr);

}  // namespace deepsim
