// The GPU model of one pipeline stage: its weights (FP32 master shard, BF16 compute copy, FP32 gradients,
// BF16 AdamW moments; ZeRO-1 over the dp ranks), and the forward and backward of a micro-batch built from the
// kernels library (RMSNorm, MLA projections on the GEMM engine, RoPE, K/V glue, flash MLA attention, router,
// permutation, SwiGLU, cross-entropy) with expert parallelism by NCCL all-to-all(v). Every op runs under a
// ScopedTag (layer, op, micro-batch, phase) so CUPTI records name it; in debug mode a NaN/Inf check follows
// each op and stops the run naming the layer and op.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include "kernels/device_buffer.h"
#include "runtime/config.h"
#include "runtime/device_arena.h"
#include "runtime/gemm_engine.h"
#include "runtime/kernel_tag.h"
#include "runtime/nccl_comm.h"
#include "runtime/param_layout.h"

namespace deepsim::runtime {

using bf16 = __nv_bfloat16;

// Thrown when a NaN or Inf appears; names where.
class NonFiniteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Weight storage of one stage. Group buffers are padded to a multiple of dp so ZeRO-1 shards are equal.
struct StageWeights {
  std::size_t size[kParamGroups]{};        // padded elements per group
  std::size_t shard[kParamGroups]{};       // elements of this rank's optimizer shard
  bool zero_sharded[kParamGroups]{};       // group reduced over dp (replicated weights)
  kernels::DeviceBuffer<bf16> compute[kParamGroups];   // full BF16 weights used by the GEMMs
  kernels::DeviceBuffer<float> grad[kParamGroups];     // full FP32 gradients (accumulated over micro-batches)
  kernels::DeviceBuffer<float> master[kParamGroups];   // FP32 master of this rank's shard
  kernels::DeviceBuffer<bf16> m[kParamGroups];         // AdamW moments of the shard (R17: BF16)
  kernels::DeviceBuffer<bf16> v[kParamGroups];
  std::map<int, kernels::DeviceBuffer<float>> router_bias;  // per MoE layer [routed_experts]
};

// Everything the ops of a stage share.
struct StageContext {
  const ExecConfig* cfg = nullptr;
  const ParamLayout* layout = nullptr;
  StageWeights* weights = nullptr;
  GemmEngine* gemm = nullptr;
  DeviceArena* scratch = nullptr;
  KernelTagger* tagger = nullptr;
  const Communicators* comms = nullptr;
  cudaStream_t stream = nullptr;
  int* nan_flag = nullptr;        // device int
  const float* rope_table = nullptr;
  int ep = 1;
  int ep_rank = 0;
};

// Per (micro-batch, MoE layer): how rows moved between ep ranks, kept for the backward.
struct ExpertRouting {
  std::vector<int> send_rows, send_off, recv_rows, recv_off;  // per peer, rows
  std::vector<int> local_offsets;                             // [local experts + 1] rows of each local expert
  int rows_local = 0;
  std::vector<long> load;                                     // tokens per routed expert (bias update)
};

// One micro-batch's saved state: activations by name plus the MoE routing plans.
struct MicroBatchState {
  DeviceArena acts;
  std::map<int, ExpertRouting> routing;  // by layer
  int tokens = 0;
};

class GpuStage {
 public:
  explicit GpuStage(const StageContext& ctx);

  // Uploads the micro-batch's tokens ([sequences][seq_len + 1 + mtp_depth], host) as the device arrays
  // tok.in, tok.tgt, tok.mtp_in, tok.mtp_tgt and tok.pos of st.
  void load_tokens(MicroBatchState& st, const std::vector<std::int32_t>& tokens);
  // Stage input: the tokens (stage 0) or x_in [T][hidden] from the previous stage; writes x_out (not the
  // last stage) or computes the loss rows (st "loss", "loss_mtp") and logit gradients (last stage).
  void forward(MicroBatchState& st, int mb, const bf16* x_in, bf16* x_out);
  // dx_out: gradient of x_out from the next stage (null on the last); writes dx_in (null on stage 0).
  void backward(MicroBatchState& st, int mb, const bf16* dx_out, bf16* dx_in);
  // Mean losses of a finished micro-batch (last stage; synchronises): main and MTP cross-entropy.
  [[nodiscard]] std::pair<double, double> losses(MicroBatchState& st) const;
  [[nodiscard]] int tokens() const { return tokens_; }

  [[nodiscard]] const bf16* w(ParamKind k, int layer) const;
  [[nodiscard]] float* g(ParamKind k, int layer) const;

  // Block internals (gpu_block_*.cpp).
  void block_forward(MicroBatchState& st, int layer, int mb, const bf16* x, bf16* out);
  void block_backward(MicroBatchState& st, int layer, int mb, const bf16* dout, bf16* dx);

 private:
  void attention_forward(MicroBatchState& st, int layer, int mb, const bf16* x, bf16* x_mid);
  void attention_backward(MicroBatchState& st, int layer, int mb, const bf16* dmid, bf16* dx);
  void mlp_forward(MicroBatchState& st, const std::string& key, int mb, const bf16* h, bf16* y, const bf16* w13,
                   const bf16* w2, int rows, int inter);
  void mlp_backward(MicroBatchState& st, const std::string& key, int mb, const bf16* dy, bf16* dh, const bf16* w13,
                    const bf16* w2, float* g13, float* g2, int rows, int inter);
  void moe_forward(MicroBatchState& st, int layer, int mb, const bf16* h, bf16* y);
  void moe_backward(MicroBatchState& st, int layer, int mb, const bf16* dy, bf16* dh);
  void expert_forward(MicroBatchState& st, int layer, int mb, const bf16* x_local, bf16* y_local);
  void expert_backward(MicroBatchState& st, int layer, int mb, const bf16* dy_local, bf16* dx_local);
  void exchange(const ExpertRouting& r, const bf16* send, bf16* recv, bool forward_direction, int cols);
  void head_forward(MicroBatchState& st, int mb, const bf16* x_last);
  void head_backward(MicroBatchState& st, int mb, bf16* dx_last);
  void mtp_forward(MicroBatchState& st, int mb, const bf16* x_last);
  void mtp_backward(MicroBatchState& st, int mb, bf16* dx_last);
  // dweight of an RMSNorm: the kernel overwrites, the gradient accumulates.
  void norm_backward(MicroBatchState& st, const bf16* x, long x_stride, ParamKind kind, int layer, const bf16* dy,
                     long dy_stride, const float* rstd, bf16* dx, long dx_stride, int rows, int hidden);
  // Debug mode: sync and throw NonFiniteError naming (layer, op) if x has a NaN/Inf.
  void check(const bf16* x, long n, int layer, const char* op);
  [[nodiscard]] KernelTag tag(int layer, const std::string& op, int mb, char phase, const char* family = "",
                              long m = 0, long n = 0, long k = 0) const;

  StageContext c_;
  int tokens_ = 0;   // tokens per micro-batch
  int seq_len_ = 0;
  int batch_ = 0;
};

}  // namespace deepsim::runtime
