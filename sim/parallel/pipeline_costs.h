// Uniform per-instruction costs of a pipeline schedule and the timing it yields. With the same cost for
// every stage and micro-batch the bubble has closed forms (reference R16), which the tests check the
// executed schedules against; the step builder replaces these costs with per-op kernel models.
#pragma once

#include <vector>

#include "sim/core/time.h"
#include "sim/parallel/schedule.h"

namespace deepsim {

struct StageCosts {
  Time forward;           // F: one chunk's forward for one micro-batch
  Time backward_input;    // B split off for the input gradient (zero-bubble schedules)
  Time backward_weight;   // W
  Time forward_backward;  // F&B: an overlapped pair; F + B + W when nothing overlaps
  Time send;              // one activation or gradient transfer between ranks (0: free)

  // The full backward B of R16 = input part + weight part.
  [[nodiscard]] Time backward() const { return backward_input + backward_weight; }
  // Duration of a compute instruction, or of a transfer for sends.
  [[nodiscard]] Time of(PipeOp op) const;
  // F&B without overlap (= F + B) and free sends.
  [[nodiscard]] static StageCosts uniform(Time f, Time b_input, Time w);
};

// Result of executing a schedule: the step runs from 0 to `step`; each rank is busy computing for
// busy[r] and idle (the bubble) for bubble[r] = step - busy[r].
struct PipelineTiming {
  Time step;
  std::vector<Time> busy;
  std::vector<Time> bubble;

  [[nodiscard]] Time max_bubble() const;
  [[nodiscard]] Time min_bubble() const;
};

}  // namespace deepsim
