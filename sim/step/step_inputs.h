// StepInputs: everything the step graph builder needs, already reduced to durations and paths, so the
// builder (step_graph.h) is a pure function of them and testable with hand-made numbers.
//  - per pipeline stage and layer: compute segments around the MoE all-to-alls (the four pieces of
//    DeepSeek-V3's overlap: attention, dispatch, MLP, combine; TR 3.2.1, Figure 4);
//  - per (stage, layer, micro-batch): dispatch and combine durations of the EP group (representative);
//  - per rank: the GPU it runs on, its pipeline neighbours' paths, and the closing DP sync + optimizer.
#pragma once

#include <functional>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/net/link.h"

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
};

struct StageCost {
  int stage = 0;
  SegmentTime pre;        // embedding (first stage)
  std::vector<LayerCost> layers;
  SegmentTime post;       // final norm, head, loss, MTP (last stage)
  SegmentFlops pre_flops, post_flops;
};

struct Path {
  std::vector<LinkId> links;
  Time latency;
};

// Durations of one all-to-all of an MoE layer of a stage for a micro-batch, in EP group `group` of that
// stage. The backward of dispatch is a combine-shaped all-to-all and vice versa; `backward` selects
// which is asked for.
using AllToAllTime =
    std::function<Time(int group, int stage, int layer_index_in_stage, int micro_batch, bool backward)>;

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
  AllToAllTime dispatch;           // may be empty: no MoE communication
  AllToAllTime combine;
  Bytes activation_bytes;          // one micro-batch's activations (or their gradient) between stages
  // Path of a pipeline send from rank a to rank b (network links + latency); empty links = latency only.
  std::function<Path(int replica, int from_rank, int to_rank)> p2p_path;
  std::vector<Time> dp_sync;       // per rank: ZeRO-1 reduce-scatter + all-gather after its last backward
  std::vector<Time> optimizer;     // per rank: the AdamW step on its shard
};

}  // namespace deepsim
