// Shapes from launch configurations: regular expressions over the template arguments of the flash
// attention kernels' names, and the grid.
#include "calibrate/src/launch_shape.h"

#include <regex>

#include "sim/model/op_factory.h"

namespace deepsim::calib {
namespace {

std::int64_t to_int(const std::string& s) { return std::stoll(s); }

}  // namespace

std::optional<AttentionLaunch> attention_launch(const std::string& name, const std::array<int, 3>& grid) {
  if (grid[0] <= 0 || grid[1] <= 0 || grid[2] <= 0) return std::nullopt;
  // FlashAttention-3 forward: Flash_fwd_kernel_traits<D_qk, kBlockM, kBlockN, warps, stages, Q_in_regs,
  // cluster, Element[, D_v]>, then Is_causal. Grid: (ceil(seq_q / kBlockM), heads, batch).
  static const std::regex fa3_fwd(
      R"(compute_attn_ws<Flash_fwd_kernel_traits<(\d+), (\d+), (\d+), \d+, \d+, (?:true|false), \d+, [A-Za-z_:0-9]+(?:, (\d+))?>, (true|false))");
  // FlashAttention-3 backward: CollectiveMainloopBwd<stages, cluster, tuple<kBlockM, kBlockN, D_qk>,
  // tuple<..., ..., D_v>, Element, Accum, Arch, Is_causal, ...>. Grid: (ceil(seq_k / kBlockN), heads, batch).
  static const std::regex fa3_bwd(
      R"(FlashAttnBwd<flash::CollectiveMainloopBwd<\d+, cute::tuple<cute::C<\d+>, cute::C<\d+>, cute::C<\d+>\s*>, cute::tuple<cute::C<(\d+)>, cute::C<(\d+)>, cute::C<(\d+)>\s*>, cute::tuple<cute::C<\d+>, cute::C<\d+>, cute::C<(\d+)>\s*>, [A-Za-z_:0-9]+, float, cutlass::arch::Sm\d+, (true|false))");
  // FlashAttention-2 forward: Flash_fwd_kernel_traits<D, kBlockM, kBlockN, warps, Q_in_regs, share_QK,
  // Element, Flash_kernel_traits<...>>, then Is_dropout, Is_causal. Grid: (ceil(seq_q / kBlockM), batch, heads).
  static const std::regex fa2_fwd(
      R"(flash_fwd_kernel<Flash_fwd_kernel_traits<(\d+), (\d+), (\d+), \d+, (?:true|false), (?:true|false), [A-Za-z_:0-9]+, Flash_kernel_traits<[^>]*>\s*>, (?:true|false), (true|false))");
  AttentionLaunch a;
  a.heads = grid[1];
  a.batch = grid[2];
  std::smatch m;
  if (std::regex_search(name, m, fa3_fwd)) {
    a.d_qk = to_int(m[1]);
    a.seq_len = grid[0] * to_int(m[2]);
    a.d_v = m[4].matched ? to_int(m[4]) : a.d_qk;
    a.causal = m[5] == "true";
    return a;
  }
  if (std::regex_search(name, m, fa3_bwd)) {
    a.backward = true;
    a.seq_len = grid[0] * to_int(m[2]);
    a.d_qk = to_int(m[3]);
    a.d_v = to_int(m[4]);
    a.causal = m[5] == "true";
    return a;
  }
  if (std::regex_search(name, m, fa2_fwd)) {
    a.batch = grid[1];
    a.heads = grid[2];
    a.d_qk = a.d_v = to_int(m[1]);
    a.seq_len = grid[0] * to_int(m[2]);
    a.causal = m[4] == "true";
    return a;
  }
  return std::nullopt;
}

OpWork attention_work(const AttentionLaunch& a) {
  op_factory::AttentionShape s;
  s.tokens = a.seq_len * a.batch;
  s.seq_len = a.seq_len;
  s.q_heads = s.kv_heads = a.heads;
  s.d_qk = a.d_qk;
  s.d_v = a.d_v;
  s.causal = a.causal;
  const Op op = op_factory::attention("attention", s);
  OpWork w;
  w.family = a.backward ? OpFamily::kAttentionBwd : OpFamily::kAttentionFwd;
  w.flops = a.backward ? op.dgrad : op.fwd;
  w.bytes = a.backward ? op.dgrad_bytes : op.fwd_bytes;
  return w;
}

}  // namespace deepsim::calib
