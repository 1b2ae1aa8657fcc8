// Pipeline schedule generators: pure functions from (PP, micro-batches, ...) to per-rank instruction
// lists, sends and receives included. One source file per schedule (gpipe.cpp, one_f_one_b.cpp, ...);
// docs/pipeline.md pictures each for PP = 4. Settings a schedule cannot run return a PlanError.
#pragma once

#include "sim/parallel/parallel_spec.h"
#include "sim/parallel/result.h"
#include "sim/parallel/schedule.h"

namespace deepsim {

// All forwards, then all (full) backwards in the same order. pp >= 1, micro_batches >= 1.
[[nodiscard]] Result<Schedule> make_gpipe(int pp, int micro_batches);

// PipeDream-flush 1F1B: rank r runs min(pp-1-r, m) warm-up forwards, then alternates F and full B.
[[nodiscard]] Result<Schedule> make_1f1b(int pp, int micro_batches);

// Megatron interleaved 1F1B: each rank holds `virtual_stages` chunks (stage c*pp + r on rank r chunk c).
// Needs micro_batches % pp == 0 (micro-batches advance in groups of pp through each chunk).
[[nodiscard]] Result<Schedule> make_interleaved_1f1b(int pp, int micro_batches, int virtual_stages);

// Zero-bubble ZB-H1 (Qi et al. 2024): 1F1B order with B split from W; rank r runs the W of a micro-batch
// r backwards late, so the gradient path never waits for a W and the W's fill the cool-down bubble.
[[nodiscard]] Result<Schedule> make_zb1p(int pp, int micro_batches);

// DualPipe (DeepSeek-V3): pp ranks, rank r holds stage r of the forward copy (chunk 0) and stage pp-1-r
// of the reverse copy (chunk 1). Micro-batches [0, m/2) enter at rank 0, [m/2, m) at rank pp-1.
// Instruction order is dualpipe.py's step(). Needs pp even, m even and m >= 2 pp (dualpipe.py asserts).
[[nodiscard]] Result<Schedule> make_dualpipe(int pp, int micro_batches);

// DualPipeV (the "cut-in-half" DualPipe): `pp` stages on pp/2 ranks; rank r holds stage r (chunk 0,
// going down) and stage pp-1-r (chunk 1, coming back up). Order is dualpipev.py's step().
// Needs pp even and m >= pp (dualpipev.py asserts m >= 2 x ranks).
[[nodiscard]] Result<Schedule> make_dualpipev(int pp, int micro_batches);

// The schedule a parallel plan asks for. spec.pp counts pipeline *ranks* (GPUs along a pipeline), so
// DualPipeV gets 2 x spec.pp stages.
[[nodiscard]] Result<Schedule> make_schedule(const ParallelSpec& spec);

}  // namespace deepsim
