// Training on GPUs: one process per GPU (scripts/exec-launch.sh), this rank's pipeline stage (GpuStage),
// the 1F1B schedule with NCCL send/recv between stages, ZeRO-1 over the dp ranks (reduce-scatter of the
// gradients, AdamW on the shard, all-gather of the BF16 weights), the router-bias update, and measurement:
// CUDA-event step times, CUPTI kernel records with tags, memory high-water. World size 1 runs the same code.
#pragma once

#include "runtime/config.h"
#include "runtime/cpu_trainer.h"
#include "runtime/measured_run.h"

namespace deepsim::runtime {

// Runs `steps` steps (exec.steps when 0) on this process's GPU. Throws ConfigError for configurations the
// GPU kernels cannot run (MLA head sizes other than 128/64/128), NonFiniteError on NaN/Inf.
[[nodiscard]] MeasuredRun train_gpu(const ExecConfig& c, int steps, const StepObserver& observer);

// The checks train_gpu makes before touching the GPU (tests call it without one).
void validate_gpu_config(const ExecConfig& c);

}  // namespace deepsim::runtime
