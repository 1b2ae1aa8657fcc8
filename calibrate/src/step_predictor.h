// The step simulator's prediction of a measured run: the executor's exact configuration (the scenario YAML
// the run carries) on the device that ran (its catalog entry with the SMs and memory bandwidth it reported),
// simulated end to end by sim/step (pipeline schedule, MoE all-to-alls, ZeRO-1 sync, optimizer). The figures
// are those of the measured rank's pipeline stage:
//   step            the simulated step time (makespan)
//   per family      the kernel model's time of every op launch the step graph was built from (stage_ops(),
//                   the ops stage_costs() times), per micro-batch x micro_batches; memory_bound adds the
//                   optimizer; communication is the rank's dispatch + combine + pipeline + DP-sync time
//   per phase       F / B / W: the forward, dgrad and wgrad launches; optimizer; communication
// What the comparison leaves out: the simulator routes tokens evenly (the executor's router does not), and it
// decides which GEMMs run in FP8 by its own rule (the executor runs FP8 only where both dimensions are whole
// 128-blocks), which shows as gemm_fp8 / gemm_bf16 rows that do not match one for one.
#pragma once

#include <string>

#include "calibrate/src/compare.h"
#include "calibrate/src/measured_run.h"
#include "sim/scenario/scenario.h"

namespace deepsim::calib {

// The scenario of a run (its `config`, an `exec:` section dropped) with cluster.gpu and gpu_overrides set to
// the device that ran; `profile` (name or path, may be empty) replaces calibration.profile. InputError when
// the run carries no config, or names no catalog GPU.
[[nodiscard]] Scenario scenario_for_run(const MeasuredRun& run, const std::string& profile = {});

[[nodiscard]] PredictedRun predict_with_step_simulator(const MeasuredRun& run, const std::string& profile = {});

// What a profiler trace of `layers` transformer layers from `first_layer` (0-based), one micro-batch of the
// scenario, forward and backward, should show per kernel class: the kernel model's time of every launch
// (forward, dgrad, wgrad) of those layers' ops, as the step simulator builds them (even routing). The
// communication class is left out: its kernels (DeepEP's) run beside the compute and their time in a trace
// is mostly waiting, which a kernel model does not predict. Throws InputError for layers outside the model.
[[nodiscard]] PredictedRun predict_layers(const Scenario& s, int first_layer, int layers);

}  // namespace deepsim::calib
