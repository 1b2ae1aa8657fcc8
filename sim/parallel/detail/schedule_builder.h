// Helpers shared by the schedule generators (not a public API): skeletons for the common route shapes
// and a per-rank emitter.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/parallel/result.h"
#include "sim/parallel/schedule.h"

namespace deepsim::detail {

// One route through ranks 0..ranks-1, one chunk per rank, for all micro-batches.
[[nodiscard]] Schedule linear_skeleton(ScheduleKind kind, int pp, int micro_batches);

// Appends compute instructions to one rank's list.
class RankEmitter {
 public:
  RankEmitter(Schedule& s, int rank) : list_(s.program[static_cast<std::size_t>(rank)]) {}
  void f(int mb, int chunk = 0) { list_.push_back({PipeOp::kForward, {mb, chunk}, {}, -1}); }
  void b_full(int mb, int chunk = 0) { list_.push_back({PipeOp::kBackward, {mb, chunk}, {}, -1}); }
  void b_input(int mb, int chunk = 0) { list_.push_back({PipeOp::kBackwardInput, {mb, chunk}, {}, -1}); }
  void w(int mb, int chunk = 0) { list_.push_back({PipeOp::kBackwardWeight, {mb, chunk}, {}, -1}); }
  void fb(Piece fwd, Piece bwd) { list_.push_back({PipeOp::kForwardBackward, fwd, bwd, -1}); }

 private:
  std::vector<Instr>& list_;
};

[[nodiscard]] inline PlanError plan_error(std::string what) { return PlanError{std::move(what)}; }

}  // namespace deepsim::detail
