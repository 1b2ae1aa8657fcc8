// Kernel shapes from a launch's configuration, for traces recorded without CPU-op shapes (no "Input
// Dims", as in deepseek-ai/profile-data's train.json): what the grid and the kernel's template
// arguments pin down.
//
// Recovered: flash attention forward and backward (FlashAttention-3's `compute_attn_ws<Flash_fwd_
// kernel_traits<D_qk, kBlockM, kBlockN, ..., D_v>, Is_causal, ...>` and `FlashAttnBwd<Collective
// MainloopBwd<..., tuple<kBlockM, kBlockN, D_qk>, tuple<..., D_v>, ..., Is_causal, ...>>`, and
// FlashAttention-2's `flash_fwd_kernel<Flash_fwd_kernel_traits<D, kBlockM, kBlockN, ...>, Is_dropout,
// Is_causal, ...>`): the grid is (query or key tiles, heads, batch) (FlashAttention-2: tiles, batch,
// heads), so the sequence is tiles x the
// tile edge (exact when the tile divides it; an upper bound by less than one tile otherwise), the heads
// x batch the other two extents, and the head dimensions and causality are template arguments. The
// FLOPs and bytes are then those of deepsim's own attention op (op_factory::attention), so a fit over
// these samples and the simulator count the same work.
// Not recoverable from a launch: GEMM shapes (DeepGEMM's and CUTLASS's persistent grids say nothing of
// M, N or K; cuBLAS's tile grid bounds M and N but not K), and the row width of element-wise kernels.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "sim/perf/op_work.h"

namespace deepsim::calib {

struct AttentionLaunch {
  bool backward = false;
  std::int64_t seq_len = 0;  // tiles x tile edge
  std::int64_t heads = 0;    // grid.y (FlashAttention-2: grid.z)
  std::int64_t batch = 0;    // grid.z (FlashAttention-2: grid.y)
  std::int64_t d_qk = 0, d_v = 0;
  bool causal = false;
};

// nullopt when `name` is not a flash attention forward or backward kernel of a known form.
[[nodiscard]] std::optional<AttentionLaunch> attention_launch(const std::string& name, const std::array<int, 3>& grid);

// The launch's work as deepsim's attention op counts it (family kAttentionFwd or kAttentionBwd).
[[nodiscard]] OpWork attention_work(const AttentionLaunch& a);

}  // namespace deepsim::calib
