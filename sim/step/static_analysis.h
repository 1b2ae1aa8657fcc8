// StaticAnalysis: what follows from a scenario without running the engine: parameters, FLOPs per token,
// KV cache, memory per pipeline stage (with the schedule's activation and parameter factors from the
// schedule checker), and lower bounds on the step time from compute alone. The bounds are labelled as
// bounds everywhere they are shown: the simulated step (simulate.h) is the answer.
#pragma once

#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/model/flops_per_token.h"
#include "sim/model/memory_plan.h"
#include "sim/model/param_count.h"
#include "sim/scenario/scenario.h"

namespace deepsim {

struct StageBound {
  int stage = 0;
  int layers = 0;
  Flops flops_per_micro_batch;   // forward + backward of one micro-batch on one GPU of the stage
  Time compute_per_micro_batch;  // at the dense peaks (FP8 GEMMs at the FP8 peak, the rest at BF16)
};

struct StaticAnalysis {
  ParamCount params;
  FlopsPerToken flops_causal;
  FlopsPerToken flops_non_causal;
  Bytes kv_cache_per_token;
  MemoryEstimate memory;
  std::vector<double> activation_factor;  // per stage, in micro-batches of one stage (schedule checker)
  std::vector<double> parameter_factor;   // per stage (DualPipe: 2)
  double tokens_per_step = 0;
  std::vector<StageBound> stages;
  // Lower bounds on one step: (a) every GPU busy at peak on its share of the step's FLOPs;
  // (b) the busiest pipeline stage doing its micro-batches back to back at peak. bound = max(a, b).
  Time bound_throughput;
  Time bound_busiest_stage;
  [[nodiscard]] Time step_lower_bound() const { return max(bound_throughput, bound_busiest_stage); }
};

// Throws InputError if the plan cannot be scheduled (the scenario loader normally catches that first).
[[nodiscard]] StaticAnalysis analyze(const Scenario& s);

// The line `run` and `validate` both print on stderr when the fullest rank's memory exceeds HBM (empty
// when it fits): "WARNING: does not fit in HBM: the fullest rank (stage s) needs X of Y (over by Z); ...".
[[nodiscard]] std::string hbm_warning(const MemoryEstimate& m);

}  // namespace deepsim
