// Schedule checker: validates any instruction list (generated or hand-written) and measures its memory.
// It checks, in this order, and reports the first violation with rank and instruction index:
//  1. every instruction names a piece its rank holds; every (micro-batch, stage) has exactly one F, one
//     backward for the input (full B, split B, or the B half of an F&B) after the F on the same rank,
//     and a W after it exactly when the backward was split;
//  2. every hop between different ranks has one send after its producer and one receive before its
//     consumer, with the right peers, and there is no other send or receive;
//  3. in-order execution with infinite resources finishes: no rank waits forever on a receive
//     (deadlock freedom; sends never block).
// Then per rank: the peak number of pieces whose F is done and whose input backward is not (an F&B counts
// its forward before its backward, as the overlapped pair holds both), and the parameters held.
#pragma once

#include <functional>
#include <vector>

#include "sim/parallel/pipeline_costs.h"
#include "sim/parallel/result.h"
#include "sim/parallel/schedule.h"

namespace deepsim {

struct ScheduleCheck {
  std::vector<int> peak_activations;       // per rank, in pieces (micro-batch x chunk)
  std::vector<double> activation_factor;   // per rank, in one micro-batch's activations of one stage (R16)
  std::vector<double> parameter_factor;    // per rank, in one stage's parameters (R16: 1x or 2x)
  std::vector<int> forward_backward_pairs; // per rank, F&B instructions
  std::vector<int> forwards;               // per rank, F instructions not paired with a backward
};

[[nodiscard]] Result<ScheduleCheck> check_schedule(const Schedule& s);

// Executes the instruction lists in order with infinite resources: a compute starts when its rank is
// free and every receive issued since the rank's previous compute has arrived; a send leaves when its
// rank reaches it and arrives `costs.send` later. The reference the engine-based executor
// (schedule_graph.h) must agree with; errors on deadlock. Does not run the structural checks.
[[nodiscard]] Result<PipelineTiming> simulate_in_order(const Schedule& s, const StageCosts& costs);

// The same with a cost per instruction: `cost(rank, instr)` is a compute instruction's duration, or a
// send's transfer time (receives are free). Lets every stage and chunk have its own costs.
using InstrCost = std::function<Time(int rank, const Instr& instr)>;
[[nodiscard]] Result<PipelineTiming> simulate_in_order(const Schedule& s, const InstrCost& cost);

}  // namespace deepsim
