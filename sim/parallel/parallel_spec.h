// ParallelSpec: the `parallel:` section of a scenario: how the model and the batch are split.
// GPUs = pp x dp x tp x cp. EP is drawn from the dp x tp x cp GPUs of one pipeline stage (DeepSeek-V3,
// reference R12; Megatron draws its expert groups from the same ranks, so experts see CP-split tokens),
// so ep must divide dp x tp x cp.
#pragma once

namespace deepsim {

enum class ScheduleKind {
  kGPipe,
  k1F1B,
  kInterleaved1F1B,  // virtual stages
  kZb1p,             // zero-bubble, W split from B
  kDualPipe,         // bidirectional, two model copies, F&B pairs
  kDualPipeV,        // V-shaped DualPipe on pp/2 devices' worth of ranks
};

[[nodiscard]] const char* to_string(ScheduleKind k);

// How a layer's TP collectives overlap compute (parallel.tp_comm_overlap; docs/network.md, "Tensor
// parallelism in the step"), the options Megatron-LM offers:
enum class TpCommOverlap {
  kNone,         // blocking on the compute stream (Megatron with neither option below)
  kAsyncGrad,    // the backward's input-gradient reduction overlapped with the weight-gradient GEMM
                 // (Megatron's asynchronous TP all-reduce / reduce-scatter in the linear layers' backward)
  kUserBuffers,  // every collective of an attention / dense-FFN block overlapped with the block in tp
                 // chunks (Megatron --tp-comm-overlap, Transformer Engine userbuffers; needs sequence parallelism)
};

[[nodiscard]] const char* to_string(TpCommOverlap o);

// Which DeepEP kernels move the MoE all-to-alls (parallel.deepep_mode; docs/network.md, "DeepEP at kernel
// level"): the normal kernels (NVLink forwarding, SMs copying every byte, a notify kernel; training and
// prefill) or the low-latency pure-RDMA kernels (a message per (token, expert) selection, no SMs held).
enum class DeepEpMode { kNormal, kLowLatency };

[[nodiscard]] const char* to_string(DeepEpMode m);

struct ParallelSpec {
  int pp = 1;
  int dp = 1;
  int tp = 1;
  // Context parallelism (Megatron-CP, ring attention): each sequence split over cp ranks, load-balanced
  // for causal masking (rank i holds chunks i and 2cp-1-i of 2cp); K/V chunks passed round a ring,
  // overlapped with attention (docs/pipeline.md). Parameters are replicated over CP ranks; gradients are
  // reduced (and ZeRO-1 optimizer state sharded) over the dp x cp ranks, as Megatron does.
  int cp = 1;
  int ep = 1;
  // Expert tensor parallelism (Megatron-core's expert_tensor_parallel_size, "MoE parallel folding"): for
  // the MoE layers a stage's dp x tp x cp GPUs are regrouped as expert_tp x ep x edp (expert_tp fastest);
  // each routed expert's FFN is split column/row-parallel over its expert_tp GPUs, which all-gather the
  // tokens the EP dispatch brought them before the expert GEMMs and reduce-scatter the outputs after
  // (docs/network.md). 1: whole experts per GPU.
  int expert_tp = 1;
  int zero_stage = 1;           // 0, 1 or 2
  int micro_batch_size = 1;     // sequences per micro-batch
  int micro_batches = 1;        // per pipeline per step (gradient accumulation)
  ScheduleKind schedule = ScheduleKind::k1F1B;
  int virtual_stages = 1;       // chunks per rank for interleaved 1F1B
  int comm_sms = 20;            // SMs held by communication kernels (DeepSeek-V3: 20 of 132)
  // DP sync (docs/pipeline.md): gradients reduce-scattered in buckets of this many MB (FP32) as the last
  // backward produces them, overlapped with the rest of it; 0: one sync after the last backward.
  double grad_bucket_mb = 0;
  // ZeRO-1: the parameter all-gather overlapped with the next step's forward (Megatron's
  // --overlap-param-gather): each layer's first forward waits for its bucket instead of the step's end.
  bool overlap_param_gather = false;
  // Megatron sequence parallelism (Korthikanti et al. 2022): the norms, dropouts and residual adds run on
  // seq / tp tokens, and each TP all-reduce of a layer becomes a reduce-scatter + all-gather pair. No
  // effect with tp = 1.
  bool sequence_parallel = false;
  TpCommOverlap tp_comm_overlap = TpCommOverlap::kNone;
  DeepEpMode deepep_mode = DeepEpMode::kNormal;

  [[nodiscard]] int gpus() const { return pp * dp * tp * cp; }

  bool operator==(const ParallelSpec&) const = default;
};

}  // namespace deepsim
