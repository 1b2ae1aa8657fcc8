// The two-micro-batch overlap of one serving step on one GPU, as an engine task graph (docs/serving.md,
// "Overlap"): a compute stream and a communication stream; per layer and micro-batch, attention ->
// dispatch -> experts -> combine -> the next layer's attention. While micro-batch 0 dispatches, the GPU
// computes micro-batch 1's attention, and so on (DeepSeek's dual-batch overlap; decode's 5-stage pipeline
// is this schedule with the attention split in two, which changes nothing when a stage never waits).
// Dense layers have no dispatch or combine. The engine runs the graph; its makespan is the step.
#pragma once

#include <string>
#include <vector>

#include "sim/core/time.h"
#include "sim/engine/engine.h"
#include "sim/engine/task_graph.h"

namespace deepsim {

// One layer of one micro-batch.
struct LayerStageTimes {
  Time attention;  // compute before the dispatch (norms, projections, core attention, router)
  Time experts;    // compute between dispatch and combine (shared and routed experts); dense: the FFN
  Time dispatch;   // communication (0 for dense layers)
  Time combine;
  bool moe = false;
  // Communication kernels holding SMs slow the compute they overlap; that slowdown is already in the
  // compute times (timed on the SMs left), so the graph's comm tasks hold none.
};

struct OverlapStep {
  std::vector<LayerStageTimes> layers;  // per layer, the same for every micro-batch
  int micro_batches = 2;
  Time before;   // per micro-batch, before the first layer (embedding)
  Time after;    // per micro-batch, after the last layer (head, sampling, MTP draft)
};

struct OverlapRun {
  TaskGraph graph;
  RunResult run;
  Time step;          // makespan
  Time compute_busy;  // sum of compute task durations
  Time comm_busy;     // sum of communication task durations
  [[nodiscard]] static const std::vector<std::string>& category_names();  // for traces
};

[[nodiscard]] OverlapRun run_overlap_step(const OverlapStep& step);

}  // namespace deepsim
