// The step's timeline per pipeline rank, as plain slices: the same tasks and times as trace.json
// (sim/report/chrome_trace.h), read from the step's TaskGraph and the engine's timings, with what a
// timeline view needs already derived: the pass (F, B, W, communication), the micro-batch and the
// bubbles (stretches where the rank's compute stream is idle).
#pragma once

#include <string>
#include <vector>

#include "sim/step/simulate.h"

namespace deepsim::api {

enum class SliceKind { kForward, kBackward, kWeightGrad, kOptimizer, kComm, kBubble };
[[nodiscard]] const char* to_string(SliceKind k);

struct TimelineSlice {
  int rank = 0;
  SliceKind kind = SliceKind::kForward;
  bool comm_lane = false;    // on the rank's communication stream (all-to-all, DP sync)
  bool paired = false;       // F and B of two micro-batches interleaved on the compute stream (F&B)
  std::string op;            // the task label ("attn L3 mb5 s0"), "bubble" for a gap
  std::string category;      // "attention", "dispatch", ... (StepCategory)
  int micro_batch = -1;      // -1 when not tied to one
  double start_s = 0, end_s = 0;
  [[nodiscard]] double duration_s() const { return end_s - start_s; }
};

struct Timeline {
  int ranks = 0;
  double step_s = 0;
  std::vector<TimelineSlice> slices;  // by rank, then start time; compute lane before comm lane
};

// Bubbles shorter than `min_bubble_s` are left out (the engine's launch gaps are not pipeline bubbles).
[[nodiscard]] Timeline timeline(const StepSimulation& step, double min_bubble_s = 1e-6);

}  // namespace deepsim::api
