// StepInputs: everything the step graph builder needs, so the builder (step_graph.h) is a pure function
// of them and testable with hand-made numbers. Compute comes as durations; communication as typed ops
// (sim/engine/comm_op.h: kind, group, bytes, routing) that the run's CommModel times, never durations.
//  - per pipeline stage and layer: compute segments around the MoE all-to-alls (the four pieces of
//    DeepSeek-V3's overlap: attention, dispatch, MLP, combine; TR 3.2.1, Figure 4);
//  - per (EP group, stage): the EP group's GPUs, and per MoE layer the routing handle of its all-to-alls;
//  - per rank: its TP group and the TP collectives' size (TpComm);
//  - per rank: its CP ring and the K/V chunk bytes of each ring step (CpComm);
//  - per GPU: its expert-TP group and the size of the collectives around the experts (EtpComm);
//  - per rank: the GPU it runs on, and the closing DP sync (its DP groups and bytes) + optimizer.
#pragma once

#include <functional>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/engine/comm_op.h"
#include "sim/parallel/parallel_spec.h"

namespace deepsim {

// Compute time of one piece of a layer for one micro-batch, by pass.
struct SegmentTime {
  Time forward;
  Time backward_input;   // dgrad
  Time backward_weight;  // wgrad
  [[nodiscard]] Time backward() const { return backward_input + backward_weight; }
};

// The FLOPs of each pass of a segment, for traces (the times come from the kernel model, not from these).
struct SegmentFlops {
  Flops forward, backward_input, backward_weight;
};

struct LayerCost {
  int layer = 0;        // 0-based model layer; layers + d for the d-th MTP module's layer
  bool moe = false;     // has dispatch/combine between `attention` and `mlp`
  SegmentTime attention;  // norms, projections, core attention, router (before dispatch)
  SegmentTime mlp;        // experts or dense FFN (between dispatch and combine)
  SegmentFlops attention_flops, mlp_flops;
  // Context parallelism only (cp > 1; else zero): the parts of `attention` that the K/V ring cuts in cp
  // steps. `attention_pre`: the ops before the core (norm, projections; for an MTP layer its input ops);
  // `attention_core`: the flash core (forward, its backward in backward_input); `core_rerun`: the core's
  // forward re-run in the backward (full or selective recompute), inside attention.backward_input. The
  // rest of `attention` (output projection, residual, an MoE layer's norm and router) follows the core.
  SegmentTime attention_pre, attention_core;
  Time core_rerun;
  SegmentFlops attention_pre_flops, attention_core_flops;
  Flops core_rerun_flops;
  double dense_params = 0;   // parameters of the layer on one GPU (one TP rank), for DP buckets
  double expert_params = 0;  // routed-expert parameters of the layer on one GPU (1/ep of them, 1/expert_tp of each)
};

struct StageCost {
  int stage = 0;
  SegmentTime pre;        // embedding (first stage)
  std::vector<LayerCost> layers;
  SegmentTime post;       // final norm, head, loss, MTP (last stage)
  SegmentFlops pre_flops, post_flops;
  double pre_params = 0, post_params = 0;  // dense parameters of `pre` and `post` on one GPU
};

// The MoE all-to-alls of EP group `group` of a stage: its GPUs (in EP-rank order) and, per MoE layer of
// the stage, the CommModel's routing handle (sim/net/collective_plan.h); kNoRouting: no all-to-all.
struct MoeComm {
  std::function<std::vector<std::int32_t>(int group, int rank)> members;  // EP group `group` at pipeline rank `rank`
  std::function<std::uint32_t(int group, int stage, int layer_index_in_stage)> routing;
  Bytes dispatch_bytes_per_token;  // forward dispatch: FP8 + scales (DeepEP)
  Bytes bf16_bytes_per_token;      // forward combine and the backward of dispatch
  // DeepEP's low-latency kernels (parallel.deepep_mode): the two sizes above are its messages, and the
  // all-to-alls hold no SMs.
  bool low_latency = false;
  [[nodiscard]] bool enabled() const { return static_cast<bool>(members); }
};

// Expert tensor parallelism (parallel.expert_tp > 1; Megatron-core's alltoall token dispatcher with
// expert_tensor_parallel_size): per MoE layer and micro-batch, inside the rank's ETP group, an all-gather
// of the tokens the dispatch brought (before the expert GEMMs) and a reduce-scatter of the expert outputs
// (after them, before the combine); the backward mirrors them: an all-gather of the output gradient after
// the combine's backward, a reduce-scatter of the input gradient before the dispatch's backward.
// S = expert_tp x received token copies x hidden x 2 (BF16, the gathered tensor; a GPU receives its
// tokens x top_k copies on average). They run on the comm stream like the all-to-alls around them.
struct EtpComm {
  // The ETP group of a GPU (global GPU ids, ETP-rank order); empty function: expert_tp = 1.
  std::function<std::vector<std::int32_t>(int gpu)> members;
  Bytes bytes;        // S of every ETP collective
  int expert_tp = 1;
  [[nodiscard]] bool enabled() const { return static_cast<bool>(members) && expert_tp > 1; }
};

// The tensor-parallel collectives of every transformer layer (Megatron, docs/pipeline.md): per block
// (attention; dense FFN or MoE) an all-reduce of the block's output in the forward and of its input
// gradient in the backward, or with sequence parallelism an all-gather before and a reduce-scatter after
// the block in the forward and the reverse in the backward. S = micro_batch x seq_len x hidden x 2 (BF16,
// the whole tensor, not /tp). Without overlap they run on the rank's compute stream, blocking; `overlap`
// moves them to the comm stream beside the compute they can hide under (step_graph.cpp says how).
struct TpComm {
  // The TP group of pipeline rank `rank` of replica `replica` (global GPU ids, TP-rank order); empty
  // function: tp = 1, no TP collectives.
  std::function<std::vector<std::int32_t>(int replica, int rank)> members;
  Bytes bytes;                      // S of every TP collective
  bool sequence_parallel = false;   // reduce-scatter + all-gather pairs instead of all-reduces
  TpCommOverlap overlap = TpCommOverlap::kNone;
  int tp = 1;                       // the group's size (userbuffers' chunks)
  // Megatron's full recompute re-runs each layer's forward, its TP collectives included, in the backward.
  bool rerun_forward = false;
  // An MoE block splits only its shared experts over TP (routed experts are whole per GPU, every TP rank
  // routes the whole micro-batch): its output and input gradient need reducing only with shared experts.
  bool moe_reduce = true;
  [[nodiscard]] bool enabled() const { return static_cast<bool>(members); }
};

// Context parallelism (Megatron-CP / ring attention, docs/pipeline.md): per attention layer and micro-batch,
// cp - 1 ring steps, each passing the K/V chunk the rank holds to the next CP rank while the attention of
// the chunk already held runs (load-balanced causal split: every step the same work). Forward: the K/V
// chunk (forward_bytes); backward: K/V again with the dK/dV partials (backward_bytes = 2 x forward);
// a re-run core (full or selective recompute) repeats the forward's ring. The ring's sends run on the
// comm stream; the engine overlaps them with the core's steps on the compute stream.
struct CpComm {
  // The CP ring of pipeline rank `rank` of replica `replica` (global GPU ids, CP-rank order: each ring
  // shift sends from every member to the next); empty function: cp = 1.
  std::function<std::vector<std::int32_t>(int replica, int rank)> members;
  int cp = 1;
  Bytes forward_bytes;   // one ring step's send: the rank's K and V chunk (BF16)
  Bytes backward_bytes;  // one backward ring step's send: K, V, dK, dV
  [[nodiscard]] bool enabled() const { return static_cast<bool>(members) && cp > 1; }
};

// One DP group's sync of a rank: ZeRO >= 1 reduce-scatters the gradients (after the backward) and
// all-gathers the updated parameters (after the optimizer); ZeRO-0 all-reduces the gradients.
struct DpSync {
  std::vector<std::int32_t> members;  // the DP group's GPUs (global ids, ring order)
  Bytes grad_bytes;                   // S of the reduce-scatter / all-reduce (FP32 gradients)
  Bytes param_bytes;                  // S of the all-gather (BF16 parameters); 0: none (ZeRO-0)
  const char* what = "dense";         // for labels: "dense" or "expert"
  bool expert = false;                // the routed experts' group (buckets take the layers' expert_params)
};

struct StepInputs {
  std::vector<StageCost> stages;   // by stage (DualPipe: pp stages; DualPipeV: 2 x ranks stages)
  std::vector<int> rank_gpu;       // pipeline rank -> global GPU id (replica 0)
  // Full fidelity: more DP replicas (pipelines) in one graph; replica_gpu[d][rank] -> GPU, replica_group[d]
  // -> its EP group. The all-to-all of an EP group then waits for every member replica (a barrier).
  int replicas = 1;
  std::vector<std::vector<int>> replica_gpu;
  std::vector<int> replica_group;
  int gpu_sms = 0;                 // SMs per GPU (0: no SM sharing modelled)
  int comm_sms = 0;                // SMs an all-to-all kernel holds while running
  MoeComm moe;                     // may be empty: no MoE communication
  TpComm tp;                       // may be empty: tp = 1
  CpComm cp;                       // may be empty: cp = 1
  EtpComm etp;                     // may be empty: expert_tp = 1
  Bytes activation_bytes;          // one micro-batch's activations (or their gradient) between stages
  std::vector<std::vector<DpSync>> dp_sync;  // per rank: its DP groups (dense, expert)
  // Gradient buckets (bytes of FP32 gradients, 0: none): the reduce-scatters of a rank's DP groups
  // leave in buckets as its last backward of each stage frees them, on a DP stream beside the compute.
  Bytes grad_bucket_bytes;
  bool overlap_param_gather = false;  // parameter all-gathers at the step's start, gating first forwards
  // ZeRO-2: the gradients are sharded, so every micro-batch's backward reduce-scatters its gradients
  // (in the buckets above, one per chain without a size) instead of one reduce-scatter after the last.
  bool reduce_every_micro_batch = false;
  std::vector<Time> optimizer;     // per rank: the AdamW step on its shard
};

}  // namespace deepsim
