// Memory per GPU, stage by stage, for a training plan: weights, gradients, optimizer state, activations,
// against the GPU's HBM. Independent of sim/parallel on purpose (a small MemoryPlan carries the few
// numbers it needs). Precision per DeepSeek-V3 (TR 3.3, R17): BF16 weights for compute, FP32 master
// weights and gradients, AdamW moments in BF16 under the FP8 recipe (FP32 under bf16). ZeRO-1 shards the
// master weights and moments over the ranks that hold a copy of the same parameters: dp x cp for the dense
// part, dp x tp x cp / ep for a routed expert (Megatron's distributed optimizer shards over its DP-CP
// group); ZeRO-2 shards the FP32 gradients over the same holders (each micro-batch's gradients are
// reduce-scattered into the shard as the backward makes them; the bucket in flight is a communication
// buffer, left out like the others). Context parallelism splits each sequence over cp ranks: activations
// are those of seq_len / cp tokens per sequence; parameters (and, below ZeRO-2, gradients) are whole on
// every CP rank. Routed experts are spread by EP: each GPU holds
// routed_experts / ep experts of every MoE layer on its stage (1/expert_tp of each under expert TP). Activations are Op::saved summed over the
// stage's ops (balanced routing: a GPU's experts see tokens x top_k per MoE layer), times the micro-batches
// in flight. With tied embeddings and pp > 1 the last stage holds its own copy of the embedding matrix
// for the head (Megatron keeps one on each end and all-reduces their gradients). Left out: FP8 weight caches and quantisation scales, communication buffers, the CUDA context
// and allocator fragmentation (docs/model.md).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/units.h"
#include "sim/model/model_spec.h"
#include "sim/model/recompute.h"

namespace deepsim {

struct MemoryPlan {
  int pp = 1, dp = 1, tp = 1, ep = 1;
  int zero_stage = 1;                    // 0: nothing sharded; 1: master weights + moments sharded;
                                         // 2: the FP32 gradients too
  int micro_batch_size = 1;              // sequences per micro-batch
  int seq_len = 4096;
  // Micro-batches whose activations a GPU holds at its peak (1F1B: pp on the first stage, applied to
  // every stage, so later stages are over-estimated; DualPipe: pp + 1, split between the rank's two
  // stages as described in memory_plan.cpp).
  double in_flight_micro_batches = 1;
  int param_copies = 1;                  // DualPipe keeps 2: rank i holds stages i and pp-1-i
  bool fp8 = true;                       // the DeepSeek-V3 FP8 recipe; false: BF16
  RecomputeMode recompute = RecomputeMode::kNone;  // what the backward recomputes (recompute.h)
  bool sequence_parallel = false;        // Megatron SP: activations outside the TP region split by tp
  int cp = 1;                            // context parallelism: a rank holds seq_len / cp tokens of a sequence
  // Expert tensor parallelism: each routed expert split over expert_tp GPUs, so a GPU holds 1/expert_tp of
  // its experts' parameters (the GEMM shapes say so), and the ZeRO holders of an expert shard are the
  // dp x tp x cp / (ep x expert_tp) GPUs with the same experts and the same ETP rank.
  int expert_tp = 1;
};

struct StageMemory {
  int stage = 0;
  std::int64_t dense_params = 0;   // non-expert parameters on one GPU (TP shard), over its copies
  std::int64_t expert_params = 0;  // routed-expert parameters on one GPU, over its copies
  Bytes weights;                   // BF16 compute copy
  Bytes master_weights;            // FP32
  Bytes gradients;                 // FP32
  Bytes optimizer_states;          // AdamW first and second moments
  Bytes activations_per_micro_batch;
  Bytes activations;               // x in-flight micro-batches

  [[nodiscard]] Bytes states() const { return weights + master_weights + gradients + optimizer_states; }
  [[nodiscard]] Bytes total() const { return states() + activations; }
};

struct MemoryEstimate {
  std::vector<StageMemory> stages;
  Bytes hbm;                       // the GPU's capacity

  [[nodiscard]] const StageMemory& peak() const;  // the stage with the largest total
  [[nodiscard]] bool fits() const { return peak().total() <= hbm; }
};

[[nodiscard]] MemoryEstimate estimate_memory(const ModelSpec& m, const MemoryPlan& plan, Bytes hbm);

}  // namespace deepsim
