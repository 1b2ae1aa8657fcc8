// Training with the CPU reference model (`deepsim-exec --cpu-reference`): the same data, micro-batching,
// gradient accumulation, AdamW (kernels' reference, FP32 here) and router-bias update as the GPU path, on
// one process. Data-parallel ranks are run one after another into one gradient, which is what an all-reduce
// over them computes. For tiny configurations only (the loops are plain FP64-sum references).
#pragma once

#include <functional>

#include "runtime/config.h"
#include "runtime/measured_run.h"

namespace deepsim::runtime {

// Called after every step (printing); may be empty.
using StepObserver = std::function<void(const StepRecord&)>;

// Runs exec.steps steps (or `steps` when > 0). Returns the run with mode "cpu-reference" and no kernels.
[[nodiscard]] MeasuredRun train_cpu_reference(const ExecConfig& c, int steps, const StepObserver& observer);

// Learning rate of 0-based step `step`: linear warm-up over warmup_steps, then constant.
[[nodiscard]] float learning_rate(const ExecOptions& e, int step);

}  // namespace deepsim::runtime
