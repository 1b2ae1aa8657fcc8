// Allocation and initialisation of a stage's weights, and the ZeRO-1 optimizer step over them.
#pragma once

#include <cuda_runtime.h>

#include "runtime/gpu_model.h"

namespace deepsim::runtime {

struct ZeroPlan {
  int dp = 1;
  int dp_rank = 0;
  bool experts_sharded = false;  // ep = dp > 1: expert weights are unique per rank (no dp reduction)
};

// Initialises on the host (param_init.h, identical to the CPU reference model), uploads the FP32 master shard
// and the full BF16 compute copy; zero gradients and moments; zero router biases for the stage's MoE layers.
[[nodiscard]] StageWeights make_stage_weights(const ExecConfig& c, const ParamLayout& layout, const ZeroPlan& z);

// Reduce-scatter (sum) of each dp-replicated group's gradient, AdamW on this rank's shard (master FP32,
// moments BF16, BF16 weights written in place), all-gather of the BF16 shards. 1-based step. With a tagger,
// the collectives are tagged "optimizer.reduce_scatter" / "optimizer.all_gather" (family communication)
// inside the caller's optimizer tag.
void zero1_step(StageWeights& w, const ExecConfig& c, const ZeroPlan& z, ncclComm_t dp_comm, DeviceArena& scratch,
                float lr, int step, cudaStream_t stream, KernelTagger* tagger = nullptr);

}  // namespace deepsim::runtime
